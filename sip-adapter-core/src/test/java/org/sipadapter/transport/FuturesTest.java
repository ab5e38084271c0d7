package org.sipadapter.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.AuthenticationException;
import org.sipadapter.SipAdapterException;

class FuturesTest {

  @Test
  void aCompletedReplyIsReturned() {
    assertThat(Futures.await(CompletableFuture.completedFuture("ok"), Duration.ofSeconds(1), "x"))
        .isEqualTo("ok");
  }

  @Test
  void noReplyInTimeIsATimeoutNamingTheRequestAndCancelsTheFuture() {
    CompletableFuture<String> never = new CompletableFuture<>();

    assertThatThrownBy(() -> Futures.await(never, Duration.ofMillis(20), "FreeSWITCH auth"))
        .isInstanceOf(AdapterTimeoutException.class)
        .hasMessage("FreeSWITCH auth got no answer within 20 ms");
    assertThat(never).isCancelled();
  }

  @Test
  void theAdaptersOwnExceptionComesThroughUnwrapped() {
    CompletableFuture<String> refused =
        CompletableFuture.failedFuture(new AuthenticationException("bad password"));

    assertThatThrownBy(() -> Futures.await(refused, Duration.ofSeconds(1), "auth"))
        .isInstanceOf(AuthenticationException.class)
        .hasMessage("bad password");
  }

  @Test
  void aCheckedFailureIsWrappedWithItsCause() {
    IOException io = new IOException("reset");
    CompletableFuture<String> failed = CompletableFuture.failedFuture(io);

    assertThatThrownBy(() -> Futures.await(failed, Duration.ofSeconds(1), "status"))
        .isInstanceOf(SipAdapterException.class)
        .hasMessageContaining("status failed")
        .hasCause(io);
  }
}
