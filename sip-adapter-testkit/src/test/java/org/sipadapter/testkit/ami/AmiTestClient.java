package org.sipadapter.testkit.ami;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A blocking AMI client for emulator tests: writes packets, reads packets until a condition. */
final class AmiTestClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  final String banner;
  final List<AmiMessage> received = new ArrayList<>();
  private boolean eof;

  AmiTestClient(String host, int port) throws IOException {
    socket = new Socket(host, port);
    socket.setSoTimeout(5000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
    banner = readLine();
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      line.write(b);
    }
    if (b < 0) {
      eof = true;
      return null;
    }
    String s = line.toString(StandardCharsets.UTF_8);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  /** Reads one packet, or null at end of stream. */
  AmiMessage readPacket() throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      String line = readLine();
      if (line == null) {
        return null;
      }
      if (line.isEmpty()) {
        if (sb.length() == 0) {
          continue;
        }
        AmiMessage m = AmiMessage.parse(sb.toString().getBytes(StandardCharsets.UTF_8));
        received.add(m);
        return m;
      }
      sb.append(line).append("\r\n");
    }
  }

  void send(String packet) throws IOException {
    out.write(packet.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  void send(AmiMessage packet) throws IOException {
    out.write(packet.toBytes());
    out.flush();
  }

  /** Reads until a packet matches; returns it. */
  AmiMessage readUntil(Predicate<AmiMessage> done) throws IOException {
    AmiMessage m;
    while ((m = readPacket()) != null) {
      if (done.test(m)) {
        return m;
      }
    }
    throw new IOException("connection closed before the expected packet; got " + received);
  }

  /** Reads until the server closes the connection; true when it did. */
  boolean readToEnd() throws IOException {
    try {
      while (readPacket() != null) {
        // keep reading
      }
      return eof;
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  AmiMessage login(String user, String secret) throws IOException {
    send(
        "Action: Login\r\nUsername: "
            + user
            + "\r\nSecret: "
            + secret
            + "\r\nActionID: login-1\r\n\r\n");
    return readUntil(m -> m.get("Response").isPresent());
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
