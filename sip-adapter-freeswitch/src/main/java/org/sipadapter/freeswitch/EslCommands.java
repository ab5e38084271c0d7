package org.sipadapter.freeswitch;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Builds the event socket command lines the adapter sends, and knows which characters would break
 * them.
 *
 * <p>ESL separates a command's arguments with spaces, a command from the next with an empty line,
 * and the originate variable block {@code {k=v,k2=v2}} with commas and braces; single quotes group
 * a value with spaces. So a user value must not hold CR, LF or NUL anywhere, and must not hold
 * {@code ,} {@code {}} {@code }} {@code '}, nor a space unless it is a quoted variable value.
 * Stateless.
 */
public final class EslCommands {
  private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z0-9_]+");

  private EslCommands() {}

  /**
   * Returns whether {@code value} holds a character that would split or inject into an ESL command.
   *
   * @param value the value, not null
   * @param spaceSplits whether a space would split the value (everything but quoted values)
   * @return true if the value must be refused
   */
  public static boolean hasSeparator(String value, boolean spaceSplits) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0 || c == ',' || c == '{' || c == '}' || c == '\'') {
        return true;
      }
      if (spaceSplits && (c == ' ' || c == '\t')) {
        return true;
      }
    }
    return false;
  }

  /**
   * Refuses a value that would break an ESL command.
   *
   * @param field the value's name, for the message
   * @param value the value
   * @param spaceAllowed whether the value is quoted on the wire (caller id name, variable values)
   * @throws IllegalArgumentException naming the field and the rule
   */
  public static void check(String field, String value, boolean spaceAllowed) {
    if (hasSeparator(value, !spaceAllowed)) {
      throw new IllegalArgumentException(
          field
              + " must not contain line breaks, NUL, commas, braces or single quotes"
              + (spaceAllowed ? "" : ", nor spaces")
              + " (they would split the FreeSWITCH command)");
    }
  }

  /**
   * Builds {@code originate {vars}<dialstring> <application>} (without {@code api}/{@code bgapi}).
   *
   * @param variables channel variables in order; names are letters, digits and underscores
   * @param dialString the endpoint, e.g. {@code user/1000}
   * @param destination {@code &app(args)} or {@code <exten> <dialplan> <context>}
   * @return the command arguments
   */
  public static String originate(
      Map<String, String> variables, String dialString, String destination) {
    StringBuilder sb = new StringBuilder(128).append("originate {");
    boolean first = true;
    for (Map.Entry<String, String> v : variables.entrySet()) {
      if (!VARIABLE_NAME.matcher(v.getKey()).matches()) {
        throw new IllegalArgumentException(
            "variable name must be letters, digits and underscores: " + v.getKey());
      }
      check("variable " + v.getKey(), v.getValue(), true);
      if (!first) {
        sb.append(',');
      }
      first = false;
      sb.append(v.getKey()).append('=');
      if (v.getValue().indexOf(' ') >= 0 || v.getValue().indexOf('\t') >= 0) {
        sb.append('\'').append(v.getValue()).append('\'');
      } else {
        sb.append(v.getValue());
      }
    }
    return sb.append('}').append(dialString).append(' ').append(destination).toString();
  }

  /**
   * Wraps a command line into a frame: the line, optional extra headers, and the empty line.
   *
   * @param line the command, already checked
   * @param jobUuid a {@code Job-UUID} header value for bgapi, or null
   * @return the bytes to send
   */
  public static byte[] frame(String line, String jobUuid) {
    String text = jobUuid == null ? line + "\n\n" : line + "\nJob-UUID: " + jobUuid + "\n\n";
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
