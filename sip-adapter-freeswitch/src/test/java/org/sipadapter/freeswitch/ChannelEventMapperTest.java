package org.sipadapter.freeswitch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipadapter.freeswitch.ChannelEvent.Kind;
import org.sipadapter.freeswitch.esl.EslContentType;
import org.sipadapter.freeswitch.esl.EslFrame;
import org.sipadapter.freeswitch.esl.EslFrameDecoder;
import org.sipadapter.testkit.fixtures.Fixtures;
import org.sipadapter.testkit.fixtures.WireTranscript;
import org.sipadapter.transport.FrameSink;

class ChannelEventMapperTest {

  private static List<ChannelEvent> mapped(String fixture) {
    byte[] server = WireTranscript.read(Fixtures.get("esl", fixture)).serverBytes();
    List<ChannelEvent> out = new ArrayList<>();
    new EslFrameDecoder()
        .decode(
            ByteBuffer.wrap(server),
            new FrameSink<EslFrame>() {
              @Override
              public void frame(EslFrame f) {
                if (f.contentType() == EslContentType.EVENT_PLAIN
                    || f.contentType() == EslContentType.EVENT_JSON) {
                  out.add(ChannelEventMapper.map(f.event()));
                }
              }

              @Override
              public void malformed(String reason) {
                throw new AssertionError(reason);
              }
            });
    return out;
  }

  @Test
  void answeredLoopbackCallMapsToAnswersHangupsAndTheJobResult() {
    List<ChannelEvent> events = mapped("03-originate-success.txt");
    assertThat(events).filteredOn(e -> e.kind() == Kind.ANSWERED).hasSize(2);
    assertThat(events)
        .filteredOn(e -> e.kind() == Kind.HANGUP)
        .extracting(ChannelEvent::hangupCause)
        .containsOnly("NORMAL_CLEARING");
    assertThat(events)
        .filteredOn(e -> e.kind() == Kind.JOB_DONE)
        .singleElement()
        .satisfies(e -> assertThat(e.jobResult()).startsWith("+OK b58d325a"));
  }

  @Test
  void theBLegOfALoopbackOriginateIsNotAnIncomingCall() {
    List<ChannelEvent> created =
        mapped("03-originate-success.txt").stream().filter(e -> e.kind() == Kind.CREATED).toList();
    assertThat(created).hasSize(2).noneMatch(ChannelEvent::inbound);
    assertThat(created.get(0).to()).isEqualTo("9103");
  }

  @Test
  void busyCallCarriesUserBusy() {
    assertThat(mapped("04-originate-busy.txt"))
        .filteredOn(e -> e.kind() == Kind.HANGUP_COMPLETE)
        .extracting(ChannelEvent::hangupCause)
        .containsOnly("USER_BUSY");
  }

  @Test
  void holdAndUnholdComeFromHoldEventsAndCallStates() {
    List<ChannelEvent> events = mapped("13-hold-uuid-hold.txt");
    assertThat(events).filteredOn(e -> e.kind() == Kind.HELD).hasSizeGreaterThanOrEqualTo(2);
    assertThat(events).filteredOn(e -> e.kind() == Kind.UNHELD).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void jsonEventsMapLikePlainOnes() {
    List<ChannelEvent> json = mapped("14-event-json-all-one-call.txt");
    assertThat(json).filteredOn(e -> e.kind() == Kind.ANSWERED).hasSize(2);
    assertThat(json).filteredOn(e -> e.kind() == Kind.JOB_DONE).hasSize(1);
    assertThat(json).filteredOn(e -> e.kind() == Kind.HANGUP).hasSize(2);
  }
}
