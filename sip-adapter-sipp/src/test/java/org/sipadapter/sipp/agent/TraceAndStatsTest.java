package org.sipadapter.sipp.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipadapter.testkit.fixtures.Fixtures;

/** Decoding SIPp's recorded trace and stat files, and judging runs from them. */
class TraceAndStatsTest {

  private static byte[] fixture(String name) {
    return Fixtures.get("sipp", name).bytes();
  }

  @Test
  void recordedMessageTraceDecodesIntoRequestsAndResponsesWithTheirHeaders() throws IOException {
    List<TracedMessage> out = new ArrayList<>();
    MessageTraceReader.decode(fixture("uac_messages.log"), out);

    TracedMessage invite = out.get(0);
    assertThat(invite.sent()).isTrue();
    assertThat(invite.method()).isEqualTo("INVITE");
    assertThat(invite.callId()).isEqualTo("1-565@127.0.0.1");
    assertThat(invite.from()).isEqualTo("sipp <sip:sipp@127.0.0.1:5290>;tag=565SIPpTag001");
    assertThat(invite.time()).isEqualTo("2026-11-26 05:28:39.623318");
    TracedMessage ringing = out.get(1);
    assertThat(ringing.sent()).isFalse();
    assertThat(ringing.status()).isEqualTo(180);
    assertThat(ringing.reason()).isEqualTo("Ringing");
    assertThat(ringing.cseqMethod()).isEqualTo("INVITE");
    assertThat(ringing.to()).endsWith(";tag=560SIPpTag011");
    assertThat(out)
        .extracting(m -> m.isRequest() ? m.method() : Integer.toString(m.status()))
        .startsWith("INVITE", "180", "200", "ACK");
  }

  @Test
  void traceSplitAtEveryByteYieldsTheSameMessages() throws IOException {
    byte[] all = fixture("uac_messages.log");
    List<TracedMessage> whole = new ArrayList<>();
    MessageTraceReader.decode(all, whole);
    for (int cut = 1; cut < 1500; cut += 37) {
      List<TracedMessage> parts = new ArrayList<>();
      byte[] first = Arrays.copyOf(all, cut);
      int used = MessageTraceReader.decode(first, parts);
      byte[] rest = new byte[all.length - used];
      System.arraycopy(all, used, rest, 0, rest.length);
      MessageTraceReader.decode(rest, parts);
      assertThat(parts).as("cut at %d", cut).isEqualTo(whole);
    }
  }

  @Test
  void readerFollowsAGrowingFile(@TempDir Path dir) throws IOException {
    byte[] all = fixture("uac_messages.log");
    Path file = dir.resolve("messages.log");
    MessageTraceReader reader = new MessageTraceReader(file);
    assertThat(reader.poll()).isEmpty();
    Files.write(file, Arrays.copyOf(all, 700));
    List<TracedMessage> seen = new ArrayList<>(reader.poll());
    Files.write(file, all);
    seen.addAll(reader.poll());
    List<TracedMessage> whole = new ArrayList<>();
    MessageTraceReader.decode(all, whole);
    assertThat(seen).isEqualTo(whole);
  }

  @Test
  void garbageBetweenEntriesIsSkippedAndNeverThrows() {
    String text =
        "junk\n-----------------------------------------------  2026-01-01 00:00:00.0\n"
            + "something else happened\n"
            + "-----------------------------------------------  2026-01-01 00:00:00.1\n"
            + "UDP message sent (9 bytes):\n\nnot sip!!\n";
    List<TracedMessage> out = new ArrayList<>();
    MessageTraceReader.decode(text.getBytes(StandardCharsets.ISO_8859_1), out);
    assertThat(out).isEmpty();
  }

  @Test
  void outboundCallStatesFollowTheRecordedTrace() throws IOException {
    List<TracedMessage> out = new ArrayList<>();
    MessageTraceReader.decode(fixture("uac_messages.log"), out);
    DialogTracker tracker = new DialogTracker();
    List<String> firstCall = new ArrayList<>();
    for (TracedMessage m : out) {
      CallProgress p = tracker.apply(m);
      if (p != null && p.callId().equals("1-565@127.0.0.1")) {
        firstCall.add(p.state());
      }
    }
    // the recording holds the set-up of three calls (no BYE) and ends inside a fourth INVITE,
    // which stays undecoded until the rest of its bytes arrive
    assertThat(firstCall).containsExactly("DIALING", "RINGING", "CONNECTED");
    assertThat(tracker.calls()).hasSize(3).allMatch(c -> c.state().equals("CONNECTED"));
    assertThat(tracker.calls().iterator().next().remoteTo()).endsWith(";tag=560SIPpTag011");
  }

  @Test
  void finalErrorFailsTheCallAnd487AfterOwnCancelDisconnectsIt() {
    DialogTracker t = new DialogTracker();
    t.apply(msg(true, "INVITE", 0, "a"));
    assertThat(t.apply(msg(false, null, 486, "a")).state()).isEqualTo("FAILED");
    assertThat(t.apply(msg(false, null, 486, "a"))).isNull();

    t.apply(msg(true, "INVITE", 0, "b"));
    t.apply(msg(false, null, 180, "b"));
    t.apply(msg(true, "CANCEL", 0, "b"));
    CallProgress end = t.apply(msg(false, null, 487, "b"));
    assertThat(end.state()).isEqualTo("DISCONNECTED");
    assertThat(end.hangupBy()).isEqualTo("local");
  }

  @Test
  void inboundCallIsIncomingThenFollowsTheResponsesSippSends() {
    DialogTracker t = new DialogTracker();
    assertThat(t.apply(msg(false, "INVITE", 0, "c")).state()).isEqualTo("INCOMING");
    assertThat(t.apply(msg(true, null, 180, "c")).state()).isEqualTo("RINGING");
    assertThat(t.apply(msg(true, null, 200, "c")).state()).isEqualTo("CONNECTED");
    CallProgress bye = t.apply(msg(false, "BYE", 0, "c"));
    assertThat(bye.state()).isEqualTo("DISCONNECTED");
    assertThat(bye.hangupBy()).isEqualTo("remote");
  }

  private static TracedMessage msg(boolean sent, String method, int status, String callId) {
    return new TracedMessage(
        "t",
        sent,
        method,
        status,
        status == 0 ? null : "r",
        callId,
        "<sip:a@h>;tag=1",
        "<sip:b@h>;tag=2",
        method == null ? "INVITE" : method);
  }

  @Test
  void statFixturesGiveTheRecordedTotals() throws IOException {
    StatCsv.RunStats ok = StatCsv.parse(fixture("uac_stat.csv")).summary();
    assertThat(ok.successfulCalls()).isEqualTo(20);
    assertThat(ok.totalCallCreated()).isEqualTo(20);
    assertThat(ok.failureCauses()).isEmpty();

    StatCsv.RunStats busy = StatCsv.parse(fixture("busy_stat.csv")).summary();
    assertThat(busy.failedCalls()).isEqualTo(3);
    assertThat(busy.failureCauses()).containsEntry("UnexpectedMessage", 3L);

    StatCsv.RunStats noAnswer = StatCsv.parse(fixture("noanswer_stat.csv")).summary();
    assertThat(noAnswer.failedCalls()).isEqualTo(2);
    assertThat(noAnswer.failureCauses()).containsKey("TimeoutOnRecv");
  }

  @Test
  void verdictNeedsExitCodeAndStatsToAgree() throws IOException {
    StatCsv.RunStats ok = StatCsv.parse(fixture("uac_stat.csv")).summary();
    StatCsv.RunStats busy = StatCsv.parse(fixture("busy_stat.csv")).summary();
    StatCsv.RunStats none = StatCsv.EMPTY.summary();

    assertThat(Verdict.judge(0, ok, false)).isEqualTo(Verdict.PASSED);
    assertThat(Verdict.judge(0, busy, false)).isEqualTo(Verdict.FAILED);
    assertThat(Verdict.judge(0, none, false)).isEqualTo(Verdict.INCONSISTENT);
    assertThat(Verdict.judge(1, busy, false)).isEqualTo(Verdict.FAILED);
    assertThat(Verdict.judge(1, ok, false)).isEqualTo(Verdict.INCONSISTENT);
    assertThat(Verdict.judge(99, none, false)).isEqualTo(Verdict.NO_CALLS);
    assertThat(Verdict.judge(254, none, false)).isEqualTo(Verdict.BIND_ERROR);
    assertThat(Verdict.judge(255, none, false)).isEqualTo(Verdict.ERROR);
    assertThat(Verdict.judge(137, none, true)).isEqualTo(Verdict.STOPPED);
  }
}
