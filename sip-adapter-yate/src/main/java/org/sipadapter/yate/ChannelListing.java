package org.sipadapter.yate;

import java.util.HashMap;
import java.util.Map;

/**
 * The channels in an {@code engine.status} return value, one module per line: {@code
 * name=sip,type=varchans,format=Status|Address|Peer;routed=0,...;sip/2=answered|127.0.0.1:5094|dumb/3,...}.
 * The third {@code ;}-separated part lists {@code id=status|address|peer} entries separated by
 * {@code ,}; in the address, {@code %}, {@code ,}, {@code ;} and {@code |} are %XX-escaped, so
 * splitting at those characters is safe. Parsed by scanning characters, without regular
 * expressions.
 */
final class ChannelListing {
  private ChannelListing() {}

  /**
   * Returns channel id to status ({@code answered}, {@code ringing}, {@code outgoing}, ...).
   *
   * @param retval the return value of {@code engine.status}
   * @return the channels found (empty when the module has none)
   */
  static Map<String, String> parse(String retval) {
    Map<String, String> out = new HashMap<>();
    int lineStart = 0;
    int n = retval.length();
    while (lineStart < n) {
      int lineEnd = retval.indexOf('\n', lineStart);
      if (lineEnd < 0) {
        lineEnd = n;
      }
      int first = retval.indexOf(';', lineStart);
      int second = first < 0 || first >= lineEnd ? -1 : retval.indexOf(';', first + 1);
      if (second >= 0 && second < lineEnd) {
        int pos = second + 1;
        while (pos < lineEnd) {
          int comma = retval.indexOf(',', pos);
          int entryEnd = comma < 0 || comma > lineEnd ? lineEnd : comma;
          int eq = retval.indexOf('=', pos);
          if (eq > pos && eq < entryEnd) {
            int bar = retval.indexOf('|', eq);
            int statusEnd = bar < 0 || bar > entryEnd ? entryEnd : bar;
            String status = retval.substring(eq + 1, statusEnd).strip();
            out.put(retval.substring(pos, eq).strip(), status);
          }
          pos = entryEnd + 1;
        }
      }
      lineStart = lineEnd + 1;
    }
    return out;
  }
}
