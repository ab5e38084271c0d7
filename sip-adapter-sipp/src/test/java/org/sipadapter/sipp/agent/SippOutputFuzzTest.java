package org.sipadapter.sipp.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided checks of the readers of SIPp's output files on any bytes: the message trace
 * decoder never throws, consumes no more than it was given, and finds an entry after any garbage
 * without a separator line; the stat CSV parser never throws and what it returns reads without
 * failing.
 *
 * <p>Without {@code JAZZER_FUZZ} only the saved inputs run (see docs/testing.md, "Fuzzing").
 */
class SippOutputFuzzTest {

  private static final String SIP =
      "SIP/2.0 180 Ringing\r\nCall-ID: 1-42@127.0.0.1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
  private static final byte[] ENTRY =
      ("----------------------------------------------- 2026-11-26 05:28:39.623318\n"
              + "UDP message received ["
              + SIP.length()
              + "] bytes :\n\n"
              + SIP)
          .getBytes(StandardCharsets.ISO_8859_1);

  @FuzzTest
  void messageTraceFromAnyBytes(byte[] trace) {
    List<TracedMessage> out = new ArrayList<>();
    int consumed = MessageTraceReader.decode(trace, out);
    assertThat(consumed).isBetween(0, Math.max(0, trace.length));
    for (TracedMessage m : out) {
      assertThat(m.isRequest() ? m.status() : m.method()).isIn(0, null);
    }
  }

  @FuzzTest
  void messageTraceResyncsAfterGarbage(byte[] garbage) {
    // Text without a separator line is not an entry: the reader skips to the next separator.
    byte[] text = withoutDashes(garbage);
    byte[] trace = new byte[text.length + 1 + ENTRY.length];
    System.arraycopy(text, 0, trace, 0, text.length);
    trace[text.length] = '\n';
    System.arraycopy(ENTRY, 0, trace, text.length + 1, ENTRY.length);
    List<TracedMessage> out = new ArrayList<>();
    MessageTraceReader.decode(trace, out);
    assertThat(out)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.status()).isEqualTo(180);
              assertThat(m.callId()).isEqualTo("1-42@127.0.0.1");
            });
  }

  @FuzzTest
  void statCsvFromAnyBytes(FuzzedDataProvider data) {
    byte[] csv = data.consumeRemainingAsBytes();
    StatCsv stats = StatCsv.parse(csv);
    assertThat(stats.rows()).isNotNegative();
    stats.summary();
    stats.failureCauses();
    for (String column : stats.columns().keySet()) {
      stats.counter(column);
      stats.decimal(column);
    }
  }

  private static byte[] withoutDashes(byte[] garbage) {
    byte[] out = new byte[garbage.length];
    int n = 0;
    for (byte b : garbage) {
      if (b != '-') {
        out[n++] = b;
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }
}
