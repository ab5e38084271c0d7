package org.sipadapter.testkit.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Starts each server fixture and checks that its control interface answers with the mounted
 * configuration. Skipped, with the reason, where no Docker engine is reachable.
 */
@RequiresDocker
class ServerContainersTest {

  private static String readSome(String host, int port, int bytes) throws IOException {
    try (Socket s = new Socket(host, port)) {
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      byte[] buf = new byte[bytes];
      int n = in.read(buf);
      return n < 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8);
    }
  }

  private static HttpResponse<String> postJson(String url, String body) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void asteriskGreetsWithTheAmiBanner() throws IOException {
    try (AsteriskContainer pbx = new AsteriskContainer()) {
      pbx.start();
      assertThat(readSome(pbx.amiHost(), pbx.amiPort(), 64)).startsWith("Asterisk Call Manager/");
    }
  }

  @Test
  void freeSwitchAsksTheDockerHostForEslAuth() throws IOException {
    try (FreeSwitchContainer fs = new FreeSwitchContainer()) {
      fs.start();
      assertThat(readSome(fs.eslHost(), fs.eslPort(), 64)).contains("Content-Type: auth/request");
    }
  }

  @Test
  void kamailioAnswersJsonRpcOverHttpAndAcceptsEvapiClients() throws Exception {
    try (KamailioContainer kam = new KamailioContainer()) {
      kam.start();
      HttpResponse<String> r =
          postJson(kam.rpcUrl(), "{\"jsonrpc\":\"2.0\",\"method\":\"dlg.list\",\"id\":1}");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"result\"");
      try (Socket evapi = new Socket(kam.evapiHost(), kam.evapiPort())) {
        assertThat(evapi.isConnected()).isTrue();
      }
    }
  }

  @Test
  void openSipsAnswersMiOverHttp() throws Exception {
    try (OpenSipsContainer os = new OpenSipsContainer()) {
      os.start();
      HttpResponse<String> r =
          postJson(os.miUrl(), "{\"jsonrpc\":\"2.0\",\"method\":\"dlg_list\",\"id\":1}");
      assertThat(r.body()).contains("\"Dialogs\"");
    }
  }

  @Test
  void yateAcceptsExtmoduleConnectionsAndGreetsOnRmanager() throws IOException {
    try (YateContainer yate = new YateContainer()) {
      yate.start();
      try (Socket ext = new Socket(yate.extmoduleHost(), yate.extmodulePort())) {
        assertThat(ext.isConnected()).isTrue();
      }
      assertThat(readSome(yate.extmoduleHost(), yate.rmanagerPort(), 128)).contains("YATE");
    }
  }

  @Test
  void sippRunsAsUas() {
    try (SippContainer sipp = new SippContainer()) {
      sipp.start();
      assertThat(sipp.isRunning()).isTrue();
    }
  }
}
