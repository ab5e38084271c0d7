package org.sipadapter.testkit.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultProxyTest {

  private EchoServer echo;
  private FaultProxy proxy;
  private final List<Socket> clients = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    echo = new EchoServer();
    proxy = FaultProxy.start("127.0.0.1", echo.port());
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : clients) {
      s.close();
    }
    proxy.close();
    echo.close();
  }

  @Test
  void passThroughForwardsBytesBothWays() throws IOException {
    Socket client = connect();

    send(client, "hello");

    assertThat(read(client, 5)).isEqualTo("hello");
    assertThat(proxy.connectionCount()).isEqualTo(1);
    assertThat(proxy.host()).isEqualTo("127.0.0.1");
  }

  @Test
  void cutAllClosesEveryConnectionOnBothSidesAndStillAcceptsNewOnes() throws IOException {
    Socket first = connect();
    Socket second = connect();
    send(first, "a");
    send(second, "b");
    read(first, 1);
    read(second, 1);
    await().until(() -> echo.openConnections() == 2);

    proxy.cutAll();

    assertThat(first.getInputStream().read()).isEqualTo(-1);
    assertThat(second.getInputStream().read()).isEqualTo(-1);
    await().until(() -> echo.openConnections() == 0);
    await().until(() -> proxy.connectionCount() == 0);
    Socket third = connect();
    send(third, "again");
    assertThat(read(third, 5)).isEqualTo("again");
  }

  @Test
  void refuseNewRefusesConnectAttemptsButKeepsLiveConnections() throws IOException {
    Socket live = connect();
    send(live, "x");
    read(live, 1);

    proxy.refuseNew();

    assertEveryConnectAttemptIsRefused(50);
    send(live, "still");
    assertThat(read(live, 5)).isEqualTo("still");

    proxy.acceptNew();

    Socket later = connect();
    send(later, "back");
    assertThat(read(later, 4)).isEqualTo("back");
  }

  @Test
  void everyConnectAttemptAfterRefuseNewReturnsIsRefusedRoundAfterRound() throws IOException {
    // Each round starts with the accept thread blocked in accept(), the state in which closing
    // the socket used to leave the kernel listening until that thread was next scheduled.
    for (int round = 0; round < 30; round++) {
      proxy.acceptNew();
      Socket s = connect();
      send(s, "r");
      assertThat(read(s, 1)).isEqualTo("r");

      proxy.refuseNew();

      assertEveryConnectAttemptIsRefused(20);
      s.close();
    }
    assertThat(proxy.acceptedCount()).isEqualTo(30);
  }

  private void assertEveryConnectAttemptIsRefused(int attempts) throws IOException {
    for (int i = 0; i < attempts; i++) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(proxy.host(), proxy.port()));
        // With nothing listening, a connect succeeds only as a TCP self-connection: the kernel
        // gave the client the proxy's own port as its source port (both are ephemeral ports),
        // and the SYN met itself. That is not the proxy accepting.
        assertThat(s.getLocalPort())
            .as("connect attempt %d after refuseNew() reached a listener", i + 1)
            .isEqualTo(proxy.port());
      } catch (ConnectException refused) {
        // what refuseNew() promises
      }
    }
  }

  @Test
  void blackHoleKeepsConnectionsButForwardsNothingUntilRestore() throws IOException {
    Socket client = connect();
    send(client, "1");
    read(client, 1);
    int receivedBefore = echo.bytesReceived();

    proxy.blackHole();
    send(client, "held");
    Socket newcomer = connect();

    client.setSoTimeout(200);
    assertThatThrownBy(() -> client.getInputStream().read())
        .isInstanceOf(SocketTimeoutException.class);
    assertThat(echo.bytesReceived()).isEqualTo(receivedBefore);
    await().until(() -> proxy.connectionCount() == 2);
    assertThat(client.isClosed()).isFalse();

    proxy.restore();

    client.setSoTimeout(5_000);
    assertThat(read(client, 4)).isEqualTo("held");
    send(newcomer, "new");
    assertThat(read(newcomer, 3)).isEqualTo("new");
  }

  @Test
  void latencyDelaysEveryChunkByAtLeastTheGivenTime() throws IOException {
    Socket client = connect();
    proxy.latency(Duration.ofMillis(150));

    long start = System.nanoTime();
    send(client, "slow");
    assertThat(read(client, 4)).isEqualTo("slow");
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

    // one chunk each way, each held at least 150 ms
    assertThat(elapsedMillis).isGreaterThanOrEqualTo(300);

    proxy.restore();
    send(client, "fast");
    assertThat(read(client, 4)).isEqualTo("fast");
  }

  @Test
  void latencyRejectsNegativeDurations() {
    assertThatThrownBy(() -> proxy.latency(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void closeEndsConnectionsStopsListeningAndLeavesNoThreads() throws IOException {
    Socket client = connect();
    send(client, "x");
    read(client, 1);
    proxy.blackHole();

    proxy.close();
    proxy.close();

    assertThat(client.getInputStream().read()).isEqualTo(-1);
    assertEveryConnectAttemptIsRefused(20);
    await().until(() -> proxy.threadNames().isEmpty());
    assertThat(proxy.connectionCount()).isZero();
  }

  @Test
  void connectionCountFollowsClientsOpeningAndClosing() throws IOException {
    List<Socket> many = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      many.add(connect());
    }
    await().until(() -> proxy.connectionCount() == 20);
    assertThat(proxy.acceptedCount()).isEqualTo(20);

    for (Socket s : many) {
      s.close();
    }

    await().until(() -> proxy.connectionCount() == 0);
    await().until(() -> echo.openConnections() == 0);
  }

  @Test
  void targetThatRefusesMakesTheProxyCloseTheClient() throws IOException {
    int deadPort;
    try (EchoServer gone = new EchoServer()) {
      deadPort = gone.port();
    }
    try (FaultProxy toNowhere = FaultProxy.start("127.0.0.1", deadPort)) {
      Socket client = new Socket(toNowhere.host(), toNowhere.port());
      clients.add(client);
      client.setSoTimeout(5_000);

      assertThat(client.getInputStream().read()).isEqualTo(-1);
      assertThat(toNowhere.connectionCount()).isZero();
    }
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(proxy.host(), proxy.port());
    s.setSoTimeout(5_000);
    clients.add(s);
    return s;
  }

  private static void send(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
  }

  private static String read(Socket s, int length) throws IOException {
    InputStream in = s.getInputStream();
    byte[] data = in.readNBytes(length);
    return new String(data, StandardCharsets.UTF_8);
  }
}
