package org.sipadapter.asterisk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.sipadapter.asterisk.ami.AmiFrame;

class AmiEventMapperTest {

  private final AmiEventMapper mapper = new AmiEventMapper();

  @Test
  void newstateBecomesAChannelStateWithTheNumericState() {
    ChannelSignal s =
        mapper.map(
            AmiFrame.of(
                "Event",
                "Newstate",
                "Channel",
                "Local/100@test-00000000;1",
                "ChannelState",
                "6",
                "Uniqueid",
                "1.0",
                "Linkedid",
                "1.0"));
    assertThat(s).isInstanceOf(ChannelSignal.ChannelState.class);
    ChannelSignal.ChannelState cs = (ChannelSignal.ChannelState) s;
    assertThat(cs.channelState()).isEqualTo(6);
    assertThat(cs.created()).isFalse();
    assertThat(cs.channel()).isEqualTo("Local/100@test-00000000;1");
  }

  @Test
  void hangupCarriesTheQ850Cause() {
    ChannelSignal.Hangup h =
        (ChannelSignal.Hangup)
            mapper.map(
                AmiFrame.of(
                    "Event", "Hangup", "Uniqueid", "1.1", "Cause", "17", "Cause-txt", "User busy"));
    assertThat(h.cause()).isEqualTo(17);
    assertThat(h.causeText()).isEqualTo("User busy");
    assertThat(h.linkedid()).isEmpty();
  }

  @Test
  void originateResponseFailureKeepsReasonAndActionId() {
    ChannelSignal.OriginateResult r =
        (ChannelSignal.OriginateResult)
            mapper.map(
                AmiFrame.of(
                    "Event",
                    "OriginateResponse",
                    "ActionID",
                    "orig-busy",
                    "Response",
                    "Failure",
                    "Channel",
                    "Local/300@test",
                    "Reason",
                    "5",
                    "Uniqueid",
                    "<unknown>"));
    assertThat(r.success()).isFalse();
    assertThat(r.reason()).isEqualTo(5);
    assertThat(r.actionId()).isEqualTo("orig-busy");
  }

  @Test
  void dialEndDtmfAndHoldAreRecognised() {
    assertThat(
            mapper.map(
                AmiFrame.of(
                    "Event",
                    "DialEnd",
                    "DestUniqueid",
                    "2",
                    "DestLinkedid",
                    "1",
                    "DialStatus",
                    "BUSY")))
        .isEqualTo(new ChannelSignal.Dial("", "2", "1", "BUSY"));
    assertThat(
            mapper.map(
                AmiFrame.of(
                    "Event", "DTMFEnd", "Uniqueid", "1", "Digit", "5", "Direction", "Received")))
        .isEqualTo(new ChannelSignal.Dtmf("1", "5", true));
    assertThat(mapper.map(AmiFrame.of("Event", "Hold", "Uniqueid", "1")))
        .isEqualTo(new ChannelSignal.Hold("1", true));
  }

  @Test
  void unknownEventsAreKeptWhole() {
    AmiFrame cdr = AmiFrame.of("Event", "Cdr", "UniqueID", "1.0");
    assertThat(mapper.map(cdr)).isEqualTo(new ChannelSignal.Other(cdr));
  }

  @Test
  void aResponseIsNotAnEvent() {
    assertThatThrownBy(() -> mapper.map(AmiFrame.of("Response", "Success")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
