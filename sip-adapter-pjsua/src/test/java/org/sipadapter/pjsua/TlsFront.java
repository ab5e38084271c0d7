package org.sipadapter.pjsua;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLServerSocket;
import org.sipadapter.testkit.tls.TestCertificates;

/**
 * A TLS listener on loopback with the testkit's trusted localhost certificate that relays each
 * connection, bytes unchanged, to a TCP port: SIP over TLS in front of a SIPp process that speaks
 * TCP only (Debian's sipp has no TLS).
 */
final class TlsFront implements AutoCloseable {
  private final SSLServerSocket server;
  private final int targetPort;

  TlsFront(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server =
        (SSLServerSocket)
            TestCertificates.serverContext()
                .getServerSocketFactory()
                .createServerSocket(0, 8, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::acceptLoop, "tls-front-accept");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket tls = server.accept();
        Socket tcp = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        pump(tls.getInputStream(), tcp.getOutputStream(), tls, tcp);
        pump(tcp.getInputStream(), tls.getOutputStream(), tls, tcp);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static void pump(InputStream in, OutputStream out, Socket a, Socket b) {
    Thread t =
        new Thread(
            () -> {
              try (a;
                  b) {
                in.transferTo(out);
              } catch (IOException e) {
                // one side closed: close both
              }
            },
            "tls-front-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
