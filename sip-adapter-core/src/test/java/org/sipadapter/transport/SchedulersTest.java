package org.sipadapter.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SchedulersTest {

  @Test
  void theSharedTimerCannotBeShutDownAndKeepsRunning() throws Exception {
    assertThatThrownBy(() -> Schedulers.timer().shutdown())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> Schedulers.timer().shutdownNow())
        .isInstanceOf(UnsupportedOperationException.class);

    CompletableFuture<String> ran = new CompletableFuture<>();
    Schedulers.timer().schedule(() -> ran.complete("ran"), 1, TimeUnit.MILLISECONDS);
    assertThat(ran.get(60, TimeUnit.SECONDS)).isEqualTo("ran");
  }

  @Test
  void theBlockingPoolOffersNoWayToShutItDown() throws Exception {
    assertThat(Schedulers.blocking()).isNotInstanceOf(ExecutorService.class);

    CompletableFuture<String> thread = new CompletableFuture<>();
    Schedulers.blocking().execute(() -> thread.complete(Thread.currentThread().getName()));
    assertThat(thread.get(60, TimeUnit.SECONDS)).startsWith("sipadapter-worker-");
  }
}
