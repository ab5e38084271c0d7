package org.sipadapter.kamailio;

import org.sipadapter.testkit.fixtures.Fixtures;

/** Reads the recorded Kamailio JSON-RPC exchanges: the testkit's {@code kamailio-rpc} fixtures. */
public final class RecordedRpc {

  private RecordedRpc() {}

  /** The response body of a recorded exchange (the lines after the blank {@code <<<} line). */
  public static String responseBody(String name) {
    String text = read(name);
    StringBuilder body = new StringBuilder();
    boolean inBody = false;
    for (String line : text.split("\n", -1)) {
      if (!line.startsWith("<<<")) {
        continue;
      }
      String content = line.length() > 4 ? line.substring(4) : "";
      if (inBody) {
        body.append(content).append('\n');
      } else if (content.isEmpty()) {
        inBody = true;
      }
    }
    return body.toString();
  }

  /** The request body of a recorded exchange (the last {@code >>>} line). */
  public static String requestBody(String name) {
    String last = "";
    for (String line : read(name).split("\n", -1)) {
      if (line.startsWith(">>> ")) {
        last = line.substring(4);
      }
    }
    return last;
  }

  private static String read(String name) {
    return Fixtures.get("kamailio-rpc", name).text();
  }
}
