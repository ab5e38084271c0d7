package org.sipadapter.testkit.sipp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Runs the installed {@code sipp} on loopback. */
class SippProcessTest {

  private static final Duration RUN = Duration.ofSeconds(60);

  @Test
  void uacCallsToAnsweringUasAllSucceedWithExitCodeZero() throws InterruptedException {
    try (SippProcess uas = SippProcess.uas(UasScenario.ANSWER).start();
        SippProcess uac =
            SippProcess.uac("127.0.0.1", uas.port())
                .calls(3)
                .rate(20)
                .callDuration(Duration.ZERO)
                .start()) {
      assertThat(uac.awaitExit(RUN)).as(uac.logText()).isZero();
      SippStats stats = uac.stats();
      assertThat(stats.successfulCalls()).isEqualTo(3);
      assertThat(stats.failedCalls()).isZero();
      assertThat(uac.messageTrace()).contains("SIP/2.0 180 Ringing", "SIP/2.0 200 OK", "BYE sip:");
      await().atMost(RUN).until(() -> uas.stats().successfulCalls() == 3);
      assertThat(uas.stats().incomingCalls()).isEqualTo(3);
    }
  }

  @Test
  void busyUasRefusesWith486AndUacExitsWithOne() throws InterruptedException {
    try (SippProcess uas = SippProcess.uas(UasScenario.BUSY).start();
        SippProcess uac = SippProcess.uac("127.0.0.1", uas.port()).service("busy").start()) {
      assertThat(uac.awaitExit(RUN)).isEqualTo(1);
      assertThat(uac.stats().failedCalls()).isEqualTo(1);
      assertThat(uac.stats().failureCauses()).containsKey("FailedUnexpectedMessage(C)");
      assertThat(uac.messageTrace()).contains("SIP/2.0 486 Busy Here");
      assertThat(uac.logText()).contains("486 Busy Here");
    }
  }

  @Test
  void noAnswerUasRingsAndNeverAnswers() throws InterruptedException {
    try (SippProcess uas = SippProcess.uas(UasScenario.NO_ANSWER).start();
        SippProcess uac =
            SippProcess.uac("127.0.0.1", uas.port()).recvTimeout(Duration.ofMillis(800)).start()) {
      assertThat(uac.awaitExit(RUN)).isEqualTo(1);
      assertThat(uac.stats().failureCauses()).containsKey("FailedTimeoutOnRecv(C)");
      // SIPp's UAC gives up with a CANCEL, which the UAS confirms; nobody ever sends an ACK.
      assertThat(uac.messageTrace())
          .contains("SIP/2.0 180 Ringing", "CANCEL sip:")
          .doesNotContain("ACK sip:");
    }
  }

  @Test
  void ringThenAnswerUasRingsBeforeAnswering() throws InterruptedException {
    try (SippProcess uas =
            SippProcess.uas(UasScenario.RING_THEN_ANSWER)
                .ringDelay(Duration.ofMillis(300))
                .start();
        SippProcess uac =
            SippProcess.uac("127.0.0.1", uas.port()).callDuration(Duration.ZERO).start()) {
      assertThat(uac.awaitExit(RUN)).as(uac.logText()).isZero();
      String trace = uac.messageTrace();
      assertThat(trace.indexOf("SIP/2.0 180 Ringing"))
          .isPositive()
          .isLessThan(trace.indexOf("SIP/2.0 200 OK"));
    }
  }

  @Test
  void controlSocketChangesTheRateOfARunningUac() {
    try (SippProcess uas = SippProcess.uas(UasScenario.ANSWER).start();
        SippProcess uac =
            SippProcess.uac("127.0.0.1", uas.port())
                .calls(100_000)
                .rate(1)
                .callDuration(Duration.ZERO)
                .traceMessages(false)
                .start()) {
      await().atMost(RUN).until(() -> uac.stats().rows() >= 1);
      assertThat(uac.stats().targetRate()).isEqualTo(1.0);

      uac.sendCommand("set rate 7");

      await().atMost(RUN).until(() -> uac.stats().targetRate() == 7.0);
      assertThat(uac.stop()).isZero();
      assertThat(uac.isAlive()).isFalse();
    }
  }

  @Test
  void stopEndsAnIdleUasAndCloseDeletesItsFiles() {
    SippProcess uas = SippProcess.uas(UasScenario.ANSWER).start();
    assertThat(uas.isAlive()).isTrue();
    assertThat(SippProcess.udpPortBound(uas.port())).isTrue();

    uas.stop();
    assertThat(uas.isAlive()).isFalse();
    assertThat(uas.exitCode()).isPresent();
    assertThat(SippProcess.udpPortBound(uas.port())).isFalse();

    uas.close();
    assertThat(uas.workDir()).doesNotExist();
  }

  @Test
  void argumentsAreAVectorWithoutShell() {
    try (SippProcess uas = SippProcess.uas(UasScenario.BUSY).start()) {
      assertThat(uas.command().get(0)).endsWith("sipp");
      assertThat(uas.command()).contains("-nostdin", "-trace_stat").doesNotContain("sh", "-c");
    }
  }

  @Test
  void serviceWithLineBreakOrSeparatorIsRefusedBeforeStart() {
    assertThatThrownBy(() -> SippProcess.uac("127.0.0.1", 5060).service("2000\r\nX: y"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SippProcess.uac("127.0.0.1", 5060).service("a;b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void controlCommandWithLineBreakIsRefused() {
    try (SippProcess uas = SippProcess.uas(UasScenario.ANSWER).start()) {
      assertThatThrownBy(() -> uas.sendCommand("set rate 5\nq"))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
