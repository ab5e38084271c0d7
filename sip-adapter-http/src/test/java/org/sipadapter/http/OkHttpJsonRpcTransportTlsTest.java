package org.sipadapter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.testkit.tls.TestCertificates;
import org.sipadapter.transport.JsonRpcClient;
import org.sipadapter.transport.TlsContext;

/** JSON-RPC over HTTPS against a JDK {@link HttpsServer} on loopback with the test certificate. */
class OkHttpJsonRpcTransportTlsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private HttpsServer server;
  private ExecutorService serverThreads;
  private final List<OkHttpJsonRpcTransport> transports = new ArrayList<>();

  @AfterEach
  void stop() {
    transports.forEach(OkHttpJsonRpcTransport::close);
    if (server != null) {
      server.stop(0);
      serverThreads.shutdownNow();
    }
  }

  private void serve(SSLContext certificate) throws IOException {
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(certificate));
    serverThreads = Executors.newCachedThreadPool();
    server.setExecutor(serverThreads);
    server.createContext(
        "/RPC",
        ex -> {
          ex.getRequestBody().readAllBytes();
          byte[] reply =
              "{\"jsonrpc\":\"2.0\",\"result\":\"kamailio 5.6.3\",\"id\":1}"
                  .getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(200, reply.length);
          ex.getResponseBody().write(reply);
          ex.close();
        });
    server.start();
  }

  private JsonRpcClient client(String host, TlsContext tls) {
    OkHttpJsonRpcTransport t =
        OkHttpJsonRpcTransport.builder(
                URI.create("https://" + host + ":" + server.getAddress().getPort() + "/RPC"))
            .tls(tls)
            .build();
    transports.add(t);
    return new JsonRpcClient("https-test", t, TIMEOUT, nanos -> {});
  }

  private static TlsContext trustingTestCertificates() {
    return TlsContext.create(TestCertificates.trustingTestCertificates());
  }

  @Test
  void callsGoThroughHttpsWhenTheTrustStoreHoldsTheCertificate() throws Exception {
    serve(TestCertificates.serverContext());

    assertThat(client("127.0.0.1", trustingTestCertificates()).callSync("core.version").asText())
        .isEqualTo("kamailio 5.6.3");
    assertThat(client("localhost", trustingTestCertificates()).callSync("core.version").asText())
        .isEqualTo("kamailio 5.6.3");
  }

  @Test
  void anUntrustedCertificateEndsInAnAdapterConnectionExceptionThatSaysSo() throws Exception {
    serve(TestCertificates.strangerContext());

    assertThatThrownBy(
            () -> client("127.0.0.1", trustingTestCertificates()).callSync("core.version"))
        .isInstanceOf(AdapterConnectionException.class)
        .hasMessageContaining("certificate is not trusted")
        .hasMessageContaining("tls.trustStore");
  }

  @Test
  void withoutATrustStoreTheJvmDefaultsRefuseTheSelfSignedCertificate() throws Exception {
    serve(TestCertificates.serverContext());

    assertThatThrownBy(() -> client("127.0.0.1", TlsContext.disabled()).callSync("core.version"))
        .isInstanceOf(AdapterConnectionException.class)
        .hasMessageContaining("not trusted");
  }

  @Test
  void aTrustedCertificateForAnotherHostIsRefused() throws Exception {
    serve(TestCertificates.wrongHostContext());

    assertThatThrownBy(
            () -> client("127.0.0.1", trustingTestCertificates()).callSync("core.version"))
        .isInstanceOf(AdapterConnectionException.class)
        .hasMessageContaining("does not name '127.0.0.1'");
  }
}
