package org.sipadapter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OkHttpCallsTest {

  /** What the tests' reader makes of a response. */
  record Reply(int status, String body) {}

  private static final OkHttpCalls.ResponseReader<Reply> READ_TEXT =
      r -> new Reply(r.code(), r.body() == null ? "" : r.body().string());

  /** Wraps the mapped exception so tests can see what the mapping was given. */
  private static final Function<IOException, Throwable> WRAP = UncheckedIOException::new;

  private HttpServer server;
  private ExecutorService serverThreads;
  private final CountDownLatch requestArrived = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile boolean hang;
  private final OkHttpClient http =
      new OkHttpClient.Builder().retryOnConnectionFailure(false).build();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    serverThreads = Executors.newCachedThreadPool();
    server.setExecutor(serverThreads);
    server.createContext("/", this::handle);
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    http.dispatcher().cancelAll();
    OkHttpCalls.release(http);
    server.stop(0);
    serverThreads.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    ex.getRequestBody().readAllBytes();
    requestArrived.countDown();
    if (hang) {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.close();
      return;
    }
    byte[] bytes = ("hello " + ex.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(202, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  private Call call(String path) {
    return http.newCall(
        new Request.Builder()
            .url("http://127.0.0.1:" + server.getAddress().getPort() + path + "?token=s3cret")
            .build());
  }

  private int callsInFlight() {
    return http.dispatcher().runningCallsCount() + http.dispatcher().queuedCallsCount();
  }

  @Test
  void aResponseCompletesTheFutureWithWhatTheReaderMadeOfIt() {
    CompletableFuture<Reply> f = OkHttpCalls.toFuture(call("/greet"), READ_TEXT, WRAP);

    assertThat(f).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(new Reply(202, "hello /greet"));
  }

  @Test
  void theResponseIsClosedBeforeTheFutureCompletesSoItsConnectionIsBackInThePool() {
    OkHttpCalls.toFuture(call("/a"), READ_TEXT, WRAP).join();

    assertThat(http.connectionPool().idleConnectionCount()).isEqualTo(1);
  }

  @Test
  void aRuntimeExceptionFromTheReaderFailsTheFutureAsItIs() {
    IllegalStateException bad = new IllegalStateException("not the reply we wanted");

    CompletableFuture<Reply> f =
        OkHttpCalls.toFuture(
            call("/a"),
            r -> {
              throw bad;
            },
            WRAP);

    assertThat(f)
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableThat()
        .havingCause()
        .isSameAs(bad);
  }

  @Test
  void anIOExceptionFromTheReaderGoesThroughTheFailureMapping() {
    IOException broken = new IOException("body cut short");

    CompletableFuture<Reply> f =
        OkHttpCalls.toFuture(
            call("/a"),
            r -> {
              throw broken;
            },
            WRAP);

    assertThat(f)
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(UncheckedIOException.class)
        .havingCause()
        .isSameAs(broken);
  }

  @Test
  void aRefusedConnectionReachesTheFailureMappingAsOkHttpReportedItNotAsATimeout()
      throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Call refused =
        http.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/").build());

    CompletableFuture<Reply> f = OkHttpCalls.toFuture(refused, READ_TEXT, WRAP);

    assertThat(f)
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(UncheckedIOException.class)
        .havingCause()
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(HttpTimeoutException.class)
        .isNotInstanceOf(InterruptedIOException.class);
  }

  @Test
  void okHttpsTimeoutBecomesAnHttpTimeoutExceptionNamingTheRequestWithoutItsQuery() {
    hang = true;
    Call slow = call("/slow");
    slow.timeout().timeout(100, TimeUnit.MILLISECONDS);

    CompletableFuture<Reply> f = OkHttpCalls.toFuture(slow, READ_TEXT, WRAP);

    assertThat(f)
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(UncheckedIOException.class)
        .havingCause()
        .isInstanceOf(HttpTimeoutException.class)
        .withMessageContaining("GET http://127.0.0.1:")
        .withMessageContaining("/slow")
        .withMessageNotContaining("s3cret")
        .withCauseInstanceOf(InterruptedIOException.class);
    await().atMost(Duration.ofSeconds(60)).until(() -> callsInFlight() == 0);
  }

  @Test
  void cancellingTheFutureCancelsTheHttpCall() throws Exception {
    hang = true;
    Call call = call("/hang");
    CompletableFuture<Reply> f = OkHttpCalls.toFuture(call, READ_TEXT, WRAP);
    requestArrived.await();

    f.cancel(true);

    assertThat(call.isCanceled()).isTrue();
    await().atMost(Duration.ofSeconds(60)).until(() -> callsInFlight() == 0);
  }

  @Test
  void failingTheFutureFromOutsideCancelsTheHttpCall() throws Exception {
    hang = true;
    Call call = call("/hang");
    CompletableFuture<Reply> f = OkHttpCalls.toFuture(call, READ_TEXT, WRAP);
    requestArrived.await();

    f.completeExceptionally(new IllegalStateException("the caller's own deadline passed"));

    assertThat(call.isCanceled()).isTrue();
    await().atMost(Duration.ofSeconds(60)).until(() -> callsInFlight() == 0);
  }

  @Test
  void cancellingTheHttpCallFailsTheFutureWithAnIOExceptionThatIsNoTimeout() throws Exception {
    hang = true;
    Call call = call("/hang");
    CompletableFuture<Reply> f = OkHttpCalls.toFuture(call, READ_TEXT, WRAP);
    requestArrived.await();

    call.cancel();

    assertThat(f)
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(UncheckedIOException.class)
        .havingCause()
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(HttpTimeoutException.class);
  }

  @Test
  void releaseStopsTheDispatcherEmptiesThePoolAndLaterCallsFailAsReleasedNotAsTimeouts() {
    OkHttpCalls.toFuture(call("/a"), READ_TEXT, WRAP).join();

    OkHttpCalls.release(http);

    assertThat(http.dispatcher().executorService().isShutdown()).isTrue();
    assertThat(http.connectionPool().connectionCount()).isZero();
    assertThat(OkHttpCalls.toFuture(call("/b"), READ_TEXT, WRAP))
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableThat()
        .havingCause()
        .havingCause()
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(HttpTimeoutException.class)
        .withMessageContaining("released");
  }

  @Test
  void aCallAlreadyEnqueuedIsRefused() {
    Call call = call("/a");
    OkHttpCalls.toFuture(call, READ_TEXT, WRAP).join();

    assertThatThrownBy(() -> OkHttpCalls.toFuture(call, READ_TEXT, WRAP))
        .isInstanceOf(IllegalStateException.class);
  }
}
