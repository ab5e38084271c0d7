package org.sipadapter.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameSplitterTest {

  private static int length(FrameSplitter splitter, String text) {
    byte[] bytes = ("##" + text).getBytes(StandardCharsets.UTF_8);
    return splitter.frameLength(bytes, 2, bytes.length - 2);
  }

  @Test
  void linesEndAtLineFeedAndKeepCarriageReturn() {
    FrameSplitter lines = FrameSplitter.lines();
    assertThat(length(lines, "%%>message:1\nrest")).isEqualTo(13);
    assertThat(length(lines, "a\r\nb")).isEqualTo(3);
    assertThat(length(lines, "incomplete")).isEqualTo(-1);
    assertThat(length(lines, "")).isEqualTo(-1);
  }

  @Test
  void blankLineTerminatedFramesEndAtTheFirstEmptyLine() {
    FrameSplitter block = FrameSplitter.blankLineTerminated();
    String action = "Action: Ping\r\nActionID: 1\r\n\r\n";
    assertThat(length(block, action + "Action: Next")).isEqualTo(action.length());
    assertThat(length(block, "Action: Ping\n\n")).isEqualTo(14);
    assertThat(length(block, "Action: Ping\r\nActionID: 1\r\n")).isEqualTo(-1);
    assertThat(length(block, "\r\nAction: Ping\r\n\r\n")).isEqualTo(2);
  }

  @Test
  void headersWithContentLengthWaitForTheWholeBody() {
    FrameSplitter esl = FrameSplitter.headersWithContentLength();
    String head = "Content-Length: 5\nContent-Type: api/response\n\n";
    assertThat(length(esl, head + "+OK")).isEqualTo(-1);
    assertThat(length(esl, head + "+OK ok" + "next")).isEqualTo(head.length() + 5);
    assertThat(length(esl, "Reply-Text: +OK\n\nnext")).isEqualTo(17);
    assertThat(length(esl, "content-length:2\r\n\r\nab")).isEqualTo(22);
  }

  @Test
  void frameWrapsAPayloadSoTheSameSplitterFindsIt() {
    byte[] payload = "x".repeat(1000).getBytes(StandardCharsets.US_ASCII);
    for (FrameSplitter s :
        new FrameSplitter[] {
          FrameSplitter.lines(),
          FrameSplitter.blankLineTerminated(),
          FrameSplitter.headersWithContentLength()
        }) {
      byte[] frame = s.frame(payload);
      assertThat(s.frameLength(frame, 0, frame.length)).as(s.toString()).isEqualTo(frame.length);
    }
  }
}
