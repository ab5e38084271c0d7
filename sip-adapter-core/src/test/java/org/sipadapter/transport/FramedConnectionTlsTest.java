package org.sipadapter.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterConnectionException;

class FramedConnectionTlsTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private ServerSocket server;
  private final List<String> frames = new CopyOnWriteArrayList<>();
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();

  private final FramedConnection.Listener<String> listener =
      new FramedConnection.Listener<>() {
        @Override
        public void onFrame(String frame) {
          frames.add(frame);
        }

        @Override
        public void onClosed(Throwable cause) {}
      };

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    for (Socket s : accepted) {
      s.close();
    }
  }

  /** A TLS server on loopback that greets, then echoes each line back in upper case. */
  private int serveTls(String keyStore) throws Exception {
    SSLContext ctx = TestCertificates.serverContext(keyStore);
    SSLServerSocket s =
        (SSLServerSocket)
            ctx.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    server = s;
    CompletableFuture.runAsync(
        () -> {
          try (SSLSocket peer = (SSLSocket) s.accept()) {
            accepted.add(peer);
            OutputStream out = peer.getOutputStream();
            out.write("hello over tls\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in =
                new BufferedReader(
                    new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
              out.write((line.toUpperCase() + "\n").getBytes(StandardCharsets.UTF_8));
              out.flush();
            }
          } catch (Exception e) {
            // The failing handshakes end here on the server side; the client's side is asserted.
          }
        });
    return s.getLocalPort();
  }

  private FramedConnection<String> open(String host, int port, TlsContext tls) {
    return FramedConnection.open(
        new FramedConnection.Endpoint("tls-test", host, port, tls, Duration.ofSeconds(5)),
        new FramedConnectionTest.LineDecoder(),
        listener);
  }

  @Test
  void framesFlowBothWaysWhenTheTrustStoreHoldsTheServerCertificate() throws Exception {
    int port = serveTls("server.p12");
    TlsContext tls = TlsContext.create(TestCertificates.trustingTestCa());

    try (FramedConnection<String> c = open("127.0.0.1", port, tls)) {
      c.send("ping\n");

      await().atMost(WAIT).until(() -> frames.size() == 2);
      assertThat(frames).containsExactly("hello over tls", "PING");
      assertThat(c.endpoint().tls()).isTrue();
    }
  }

  @Test
  void theHostNameLocalhostMatchesTheCertificateToo() throws Exception {
    int port = serveTls("server.p12");

    try (FramedConnection<String> c =
        open("localhost", port, TlsContext.create(TestCertificates.trustingTestCa()))) {
      await().atMost(WAIT).until(() -> frames.contains("hello over tls"));
    }
  }

  @Test
  void anUntrustedCertificateFailsTheHandshakeWithAnExplanation() throws Exception {
    int port = serveTls("stranger.p12");

    assertThatThrownBy(
            () -> open("127.0.0.1", port, TlsContext.create(TestCertificates.trustingTestCa())))
        .isInstanceOf(AdapterConnectionException.class)
        .hasMessageContaining("TLS handshake with 127.0.0.1:" + port + " failed")
        .hasMessageContaining("certificate is not trusted")
        .hasMessageContaining("tls.trustStore");
  }

  @Test
  void aTrustedCertificateForAnotherHostIsRefused() throws Exception {
    int port = serveTls("wronghost.p12");

    assertThatThrownBy(
            () -> open("127.0.0.1", port, TlsContext.create(TestCertificates.trustingTestCa())))
        .isInstanceOf(AdapterConnectionException.class)
        .hasMessageContaining("certificate does not name '127.0.0.1'");
  }

  @Test
  void theJvmDefaultTrustStoreDoesNotTrustASelfSignedCertificate() throws Exception {
    int port = serveTls("server.p12");

    assertThatThrownBy(
            () ->
                FramedConnection.open(
                    new FramedConnection.Endpoint(
                        "tls-test", "127.0.0.1", port, true, Duration.ofSeconds(5)),
                    new FramedConnectionTest.LineDecoder(),
                    listener))
        .isInstanceOf(AdapterConnectionException.class)
        .hasMessageContaining("certificate is not trusted");
  }

  @Test
  void aServerThatDoesNotSpeakTlsFailsTheHandshakeWithAnExplanation() throws Exception {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    ServerSocket plain = server;
    CompletableFuture.runAsync(
        () -> {
          try {
            Socket peer = plain.accept();
            accepted.add(peer);
            peer.getOutputStream()
                .write("Asterisk Call Manager/5.0.0\r\n".getBytes(StandardCharsets.US_ASCII));
          } catch (Exception e) {
            // closed by the test
          }
        });

    assertThatThrownBy(
            () ->
                open(
                    "127.0.0.1",
                    plain.getLocalPort(),
                    TlsContext.create(TestCertificates.trustingTestCa())))
        .isInstanceOf(AdapterConnectionException.class)
        .hasMessageContaining("check that the port serves TLS");
  }

  @Test
  void anEndpointRefusesATlsFlagThatContradictsItsContext() {
    TlsContext tls = TlsContext.create(TestCertificates.trustingTestCa());

    assertThatThrownBy(
            () ->
                new FramedConnection.Endpoint(
                    "x", "127.0.0.1", 1, false, Duration.ofSeconds(1), tls))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(
            new FramedConnection.Endpoint("x", "h", 1, false, Duration.ofSeconds(1)).tlsContext())
        .isSameAs(TlsContext.disabled());
  }
}
