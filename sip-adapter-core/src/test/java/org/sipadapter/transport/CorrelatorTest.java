package org.sipadapter.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;

class CorrelatorTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  void aReplyCompletesTheRequestWithItsId() {
    RequestCorrelator<String, String> c = new RequestCorrelator<>("AMI action");
    CompletableFuture<String> a = c.register("1", "Ping", LONG);
    CompletableFuture<String> b = c.register("2", "Status", LONG);

    assertThat(c.complete("2", "status-reply")).isTrue();

    assertThat(b).isCompletedWithValue("status-reply");
    assertThat(a).isNotDone();
    assertThat(c.size()).isEqualTo(1);
    assertThat(c.isPending("1")).isTrue();
  }

  @Test
  void aLateOrUnknownReplyIsIgnored() {
    RequestCorrelator<String, String> c = new RequestCorrelator<>("AMI action");
    CompletableFuture<String> a = c.register("1", "Ping", LONG);
    c.complete("1", "first");

    assertThat(c.complete("1", "again")).isFalse();
    assertThat(c.complete("nope", "x")).isFalse();
    assertThat(a).isCompletedWithValue("first");
  }

  @Test
  void aDuplicatePendingIdIsRefused() {
    RequestCorrelator<String, String> c = new RequestCorrelator<>("x");
    c.register("1", "a", LONG);

    assertThatThrownBy(() -> c.register("1", "b", LONG)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void eachRequestTimesOutOnItsOwnWithAnAdapterTimeoutException() {
    RequestCorrelator<String, String> c = new RequestCorrelator<>("AMI action");
    CompletableFuture<String> quick = c.register("1", "Ping", Duration.ofMillis(20));
    CompletableFuture<String> slow = c.register("2", "Status", LONG);

    await().atMost(Duration.ofSeconds(60)).until(quick::isDone);

    assertThatThrownBy(quick::get)
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(AdapterTimeoutException.class)
        .hasMessageContaining("AMI action 'Ping' got no reply within 20 ms");
    assertThat(slow).isNotDone();
    assertThat(c.isPending("1")).isFalse();
    assertThat(c.complete("1", "late")).isFalse();
  }

  @Test
  void failAllFailsEveryPendingRequest() {
    RequestCorrelator<Long, String> c = new RequestCorrelator<>("x");
    CompletableFuture<String> a = c.register(1L, "a", LONG);
    CompletableFuture<String> b = c.register(2L, "b", LONG);
    AdapterConnectionException down = new AdapterConnectionException("link lost");

    assertThat(c.failAll(down)).isEqualTo(2);

    assertThat(a).isCompletedExceptionally();
    assertThatThrownBy(b::join).hasCause(down);
    assertThat(c.size()).isZero();
    assertThat(c.fail(1L, down)).isFalse();
  }

  @Test
  void inOrderRepliesGoToTheOldestRequest() {
    InOrderCorrelator<String> c = new InOrderCorrelator<>("ESL command");
    CompletableFuture<String> a = c.sendInOrder("api status", LONG, () -> {});
    CompletableFuture<String> b = c.sendInOrder("api version", LONG, () -> {});

    assertThat(c.completeNext("r1")).isTrue();
    assertThat(c.completeNext("r2")).isTrue();
    assertThat(c.completeNext("r3")).isFalse();

    assertThat(a).isCompletedWithValue("r1");
    assertThat(b).isCompletedWithValue("r2");
  }

  @Test
  void aTimedOutInOrderRequestKeepsItsPlaceSoTheLateReplyDoesNotShiftTheOthers() {
    InOrderCorrelator<String> c = new InOrderCorrelator<>("ESL command");
    CompletableFuture<String> slow = c.sendInOrder("api slow", Duration.ofMillis(20), () -> {});
    CompletableFuture<String> next = c.sendInOrder("api next", LONG, () -> {});
    await().atMost(Duration.ofSeconds(60)).until(slow::isDone);
    assertThatThrownBy(slow::join).hasCauseInstanceOf(AdapterTimeoutException.class);
    assertThat(c.size()).isEqualTo(2);

    c.completeNext("late reply to slow");
    c.completeNext("reply to next");

    assertThat(next).isCompletedWithValue("reply to next");
  }

  @Test
  void aFailedWriteFailsOnlyThatRequestAndLeavesNoPlaceholder() {
    InOrderCorrelator<String> c = new InOrderCorrelator<>("x");
    IOException broken = new IOException("broken pipe");

    CompletableFuture<String> f =
        c.sendInOrder(
            "a",
            LONG,
            () -> {
              throw broken;
            });

    assertThatThrownBy(f::join).hasCause(broken);
    assertThat(c.size()).isZero();
  }

  @Test
  void inOrderFailAllFailsEveryWaitingRequest() {
    InOrderCorrelator<String> c = new InOrderCorrelator<>("x");
    CompletableFuture<String> a = c.sendInOrder("a", LONG, () -> {});
    CompletableFuture<String> b = c.sendInOrder("b", LONG, () -> {});

    assertThat(c.failAll(new AdapterConnectionException("gone"))).isEqualTo(2);

    assertThat(a).isCompletedExceptionally();
    assertThat(b).isCompletedExceptionally();
    assertThat(c.completeNext("x")).isFalse();
  }
}
