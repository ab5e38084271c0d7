package org.sipadapter.kamailio;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads the recorded Kamailio exchanges in {@code fixtures/kamailio-rpc/}. */
public final class Fixtures {

  private Fixtures() {}

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

  /** The raw bytes of a fixture file. */
  public static byte[] bytes(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/kamailio-rpc/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(String name) {
    return new String(bytes(name), StandardCharsets.UTF_8);
  }
}
