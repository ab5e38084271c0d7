package org.sipadapter.benchmarks.esl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal event socket on loopback for one client: the {@code auth/request} greeting, {@code +OK}
 * for every command, a status body for {@code api status}; {@link #write} streams events to the
 * client.
 */
final class EslLoopbackServer implements AutoCloseable {
  private final ServerSocket server;
  private volatile OutputStream toClient;

  EslLoopbackServer() throws IOException {
    server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::serve, "bench-esl-server");
    accept.setDaemon(true);
    accept.start();
  }

  String host() {
    return server.getInetAddress().getHostAddress();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Writes bytes to the connected client (complete frames). */
  void write(byte[] bytes) {
    try {
      synchronized (this) {
        toClient.write(bytes);
        toClient.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  private void serve() {
    try (Socket s = server.accept()) {
      OutputStream out = s.getOutputStream();
      toClient = out;
      InputStream in = s.getInputStream();
      synchronized (this) {
        out.write("Content-Type: auth/request\n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      StringBuilder command = new StringBuilder();
      int b;
      int prev = -1;
      while ((b = in.read()) >= 0) {
        if (b == '\n' && prev == '\n') {
          reply(out, command.toString().strip());
          command.setLength(0);
        } else {
          command.append((char) b);
        }
        prev = b;
      }
    } catch (IOException e) {
      // the client is gone
    }
  }

  private synchronized void reply(OutputStream out, String command) throws IOException {
    String text;
    if (command.startsWith("api ")) {
      String body =
          command.startsWith("api status")
              ? "UP 0 years\nFreeSWITCH (Version 1.10.12-release  64bit) is ready\n"
              : "+OK\n";
      text = "Content-Type: api/response\nContent-Length: " + body.length() + "\n\n" + body;
    } else {
      text = "Content-Type: command/reply\nReply-Text: +OK\n\n";
    }
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }
}
