package org.sipadapter.testkit.ami;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AmiEmulatorTest {

  private AmiEmulator pbx;

  @BeforeEach
  void start() {
    pbx =
        AmiEmulator.create()
            .outcome("300", AmiEmulator.Outcome.BUSY)
            .outcome("999", AmiEmulator.Outcome.UNKNOWN_EXTENSION)
            .outcome("500", AmiEmulator.Outcome.NO_ANSWER)
            .ringTimes(Duration.ofMillis(5), Duration.ofMillis(50))
            .start();
  }

  @AfterEach
  void stop() {
    pbx.close();
  }

  private AmiTestClient loggedIn() throws Exception {
    AmiTestClient c = new AmiTestClient(pbx.host(), pbx.port());
    assertThat(c.login("admin", "amipass").get("Message")).contains("Authentication accepted");
    return c;
  }

  private static String originate(String exten, String id) {
    return "Action: Originate\r\nChannel: Local/"
        + exten
        + "@test\r\nApplication: Wait\r\nData: 5\r\nAsync: true\r\nActionID: "
        + id
        + "\r\n\r\n";
  }

  @Test
  void bannerThenLoginAcceptedAndFullyBooted() throws Exception {
    try (AmiTestClient c = loggedIn()) {
      assertThat(c.banner).isEqualTo("Asterisk Call Manager/11.0.0");
      assertThat(c.readPacket().get("Event")).contains("FullyBooted");
    }
  }

  @Test
  void wrongSecretIsRefusedAndTheConnectionClosed() throws Exception {
    try (AmiTestClient c = new AmiTestClient(pbx.host(), pbx.port())) {
      AmiMessage reply = c.login("admin", "wrong");
      assertThat(reply.keys()).containsExactly("Response", "ActionID", "Message");
      assertThat(reply.get("Message")).contains("Authentication failed");
      assertThat(c.readToEnd()).isTrue();
    }
  }

  @Test
  void md5ChallengeLoginIsAccepted() throws Exception {
    try (AmiTestClient c = new AmiTestClient(pbx.host(), pbx.port())) {
      c.send("Action: Challenge\r\nAuthType: MD5\r\nActionID: ch-1\r\n\r\n");
      String nonce = c.readUntil(m -> m.get("Challenge").isPresent()).get("Challenge", "");
      c.send(
          "Action: Login\r\nAuthType: MD5\r\nUsername: admin\r\nKey: "
              + AmiEmulator.md5Hex(nonce + "amipass")
              + "\r\nActionID: l\r\n\r\n");
      assertThat(c.readUntil(m -> m.get("Response").isPresent()).get("Response"))
          .contains("Success");
    }
  }

  @Test
  void actionBeforeLoginIsPermissionDenied() throws Exception {
    try (AmiTestClient c = new AmiTestClient(pbx.host(), pbx.port())) {
      c.send("Action: CoreStatus\r\nActionID: early-1\r\n\r\n");
      assertThat(c.readPacket().get("Message")).contains("Permission denied");
    }
  }

  @Test
  void answeredOriginateEndsWithOriginateResponseReason4AndHangupClearsIt() throws Exception {
    try (AmiTestClient c = loggedIn()) {
      c.send(originate("100", "o1"));
      AmiMessage done =
          c.readUntil(m -> m.get("Event").filter("OriginateResponse"::equals).isPresent());
      assertThat(done.get("Response")).contains("Success");
      assertThat(done.get("Reason")).contains("4");
      assertThat(pbx.channelNames()).hasSize(2);
      String channel = done.get("Channel", "");
      c.send("Action: Hangup\r\nChannel: " + channel + "\r\nCause: 16\r\nActionID: h1\r\n\r\n");
      assertThat(
              c.readUntil(m -> m.get("ActionID").filter("h1"::equals).isPresent()).get("Message"))
          .contains("Channel Hungup");
      c.readUntil(
          m ->
              m.get("Event").filter("Hangup"::equals).isPresent()
                  && m.get("Channel", "").endsWith(";2"));
      assertThat(pbx.channelNames()).isEmpty();
    }
  }

  @Test
  void busyNoAnswerAndUnknownExtensionFailWithTheirReasons() throws Exception {
    try (AmiTestClient c = loggedIn()) {
      for (String[] exten :
          new String[][] {{"300", "5", "17"}, {"500", "3", "19"}, {"999", "0", "0"}}) {
        c.send(originate(exten[0], "o-" + exten[0]));
        AmiMessage done =
            c.readUntil(m -> m.get("Event").filter("OriginateResponse"::equals).isPresent());
        assertThat(done.get("Response")).contains("Failure");
        assertThat(done.get("Reason")).contains(exten[1]);
        // Asterisk names the channel only when it had one to hang up (fixture 19).
        if (exten[0].equals("999")) {
          assertThat(done.get("Uniqueid", "")).isNotEqualTo("<unknown>");
        } else {
          assertThat(done.get("Uniqueid")).contains("<unknown>");
        }
        AmiMessage hangup = c.readUntil(m -> m.get("Event").filter("Hangup"::equals).isPresent());
        assertThat(hangup.get("Cause")).contains(exten[2]);
      }
    }
  }

  @Test
  void channelIdFromTheOriginateBecomesTheUniqueid() throws Exception {
    try (AmiTestClient c = loggedIn()) {
      c.send(
          "Action: Originate\r\nChannel: Local/100@test\r\nExten: 100\r\nContext: test\r\nPriority: 1\r\n"
              + "ChannelId: call-1\r\nOtherChannelId: call-1-b\r\nAsync: true\r\nActionID: o\r\n\r\n");
      AmiMessage done =
          c.readUntil(m -> m.get("Event").filter("OriginateResponse"::equals).isPresent());
      assertThat(done.get("Uniqueid")).contains("call-1");
      assertThat(done.keys()).contains("Context", "Exten").doesNotContain("Priority");
    }
  }

  @Test
  void coreShowChannelsListsEveryChannelBetweenStartAndComplete() throws Exception {
    try (AmiTestClient c = loggedIn()) {
      c.send(originate("100", "o1"));
      c.readUntil(m -> m.get("Event").filter("OriginateResponse"::equals).isPresent());
      c.send("Action: CoreShowChannels\r\nActionID: csc\r\n\r\n");
      assertThat(
              c.readUntil(m -> m.get("ActionID").filter("csc"::equals).isPresent())
                  .get("EventList"))
          .contains("start");
      AmiMessage complete =
          c.readUntil(m -> m.get("Event").filter("CoreShowChannelsComplete"::equals).isPresent());
      assertThat(complete.get("ListItems")).contains("2");
      assertThat(
              c.received.stream()
                  .filter(m -> m.get("Event").filter("CoreShowChannel"::equals).isPresent()))
          .hasSize(2);
    }
  }

  @Test
  void playDtmfRecordingRedirectAndAtxferAnswerLikeAsterisk() throws Exception {
    try (AmiTestClient c = loggedIn()) {
      c.send(originate("100", "o1"));
      String channel =
          c.readUntil(m -> m.get("Event").filter("OriginateResponse"::equals).isPresent())
              .get("Channel", "");
      c.send("Action: PlayDTMF\r\nChannel: " + channel + "\r\nDigit: 5\r\nActionID: d\r\n\r\n");
      assertThat(
              c.readUntil(m -> m.get("Event").filter("DTMFEnd"::equals).isPresent()).get("Digit"))
          .contains("5");
      c.send(
          "Action: MixMonitor\r\nChannel: "
              + channel
              + "\r\nFile: x.wav\r\nOptions: i(MIXMON_ID)\r\nActionID: mm\r\n\r\n");
      assertThat(
              c.readUntil(m -> m.get("ActionID").filter("mm"::equals).isPresent())
                  .get("MixMonitorID"))
          .isPresent();
      c.send("Action: StopMixMonitor\r\nChannel: " + channel + "\r\nActionID: smm\r\n\r\n");
      assertThat(
              c.readUntil(m -> m.get("ActionID").filter("smm"::equals).isPresent()).get("Response"))
          .contains("Success");
      c.send(
          "Action: Redirect\r\nChannel: "
              + channel
              + "\r\nContext: test\r\nExten: 600\r\nPriority: 1\r\nActionID: r\r\n\r\n");
      assertThat(c.readUntil(m -> m.get("ActionID").filter("r"::equals).isPresent()).get("Message"))
          .contains("Redirect successful");
      pbx.atxferConfigured(false);
      c.send(
          "Action: Atxfer\r\nChannel: "
              + channel
              + "\r\nExten: 200\r\nContext: test\r\nActionID: a\r\n\r\n");
      assertThat(c.readUntil(m -> m.get("ActionID").filter("a"::equals).isPresent()).get("Message"))
          .contains("No attended transfer feature code found");
    }
  }

  @Test
  void redirectIntoHoldAndConferenceContextsPlaysMusicAndJoinsTheRoom() throws Exception {
    try (AmiTestClient c = loggedIn()) {
      c.send(originate("100", "o1"));
      String channel =
          c.readUntil(m -> m.get("Event").filter("OriginateResponse"::equals).isPresent())
              .get("Channel", "");
      c.send(
          "Action: Redirect\r\nChannel: "
              + channel
              + "\r\nContext: sdk-hold\r\nExten: hold\r\nPriority: 1\r\nActionID: h\r\n\r\n");
      assertThat(
              c.readUntil(m -> m.get("Event").filter("MusicOnHoldStart"::equals).isPresent())
                  .get("Class"))
          .contains("default");
      c.send(
          "Action: Redirect\r\nChannel: "
              + channel
              + "\r\nContext: sdk-conf\r\nExten: 7001\r\nPriority: 1\r\nActionID: j\r\n\r\n");
      c.readUntil(m -> m.get("Event").filter("MusicOnHoldStop"::equals).isPresent());
      assertThat(
              c.readUntil(m -> m.get("Event").filter("ConfbridgeJoin"::equals).isPresent())
                  .get("Conference"))
          .contains("7001");
      assertThat(pbx.conferenceMembers("7001")).containsExactly(channel);

      c.send("Action: ConfbridgeList\r\nConference: 7001\r\nActionID: cl\r\n\r\n");
      AmiMessage done =
          c.readUntil(m -> m.get("Event").filter("ConfbridgeListComplete"::equals).isPresent());
      assertThat(done.get("ListItems")).contains("1");
      c.send("Action: ConfbridgeList\r\nConference: 7002\r\nActionID: c2\r\n\r\n");
      assertThat(
              c.readUntil(m -> m.get("ActionID").filter("c2"::equals).isPresent()).get("Message"))
          .contains("No Conference by that name found.");
    }
  }

  @Test
  void farEndDtmfAndPhoneHoldAreEvents() throws Exception {
    try (AmiTestClient c = loggedIn()) {
      String uniqueid = pbx.incomingCall("2000", "100");
      pbx.receiveDtmf(uniqueid, "9");
      AmiMessage dtmf = c.readUntil(m -> m.get("Event").filter("DTMFEnd"::equals).isPresent());
      assertThat(dtmf.get("Direction")).contains("Received");
      assertThat(dtmf.get("Digit")).contains("9");
      assertThat(pbx.phoneHold(uniqueid, true)).isTrue();
      assertThat(
              c.readUntil(m -> m.get("Event").filter("Hold"::equals).isPresent()).get("Uniqueid"))
          .contains(uniqueid);
      assertThat(pbx.receiveDtmf("no-such-channel", "1")).isFalse();
    }
  }

  @Test
  void remoteHangupAndIncomingCallRaiseEvents() throws Exception {
    try (AmiTestClient c = loggedIn()) {
      String uniqueid = pbx.incomingCall("2000", "100");
      assertThat(
              c.readUntil(m -> m.get("Event").filter("Newchannel"::equals).isPresent())
                  .get("Uniqueid"))
          .contains(uniqueid);
      assertThat(pbx.remoteHangup(uniqueid, 16)).isTrue();
      assertThat(c.readUntil(m -> m.get("Event").filter("Hangup"::equals).isPresent()).get("Cause"))
          .contains("16");
    }
  }

  @Test
  void faultsGarbageHugeEventStallAndDrop() throws Exception {
    try (AmiTestClient c = loggedIn()) {
      c.readUntil(m -> m.get("Event").filter("FullyBooted"::equals).isPresent());
      pbx.injectHugeFrame(1024 * 1024);
      AmiMessage huge = c.readUntil(m -> m.get("UserEvent").isPresent());
      assertThat(huge.get("Data", "")).hasSize(1024 * 1024);
      pbx.injectGarbage();
      c.send("Action: Ping\r\nActionID: p\r\n\r\n");
      assertThat(c.readUntil(m -> m.get("ActionID").filter("p"::equals).isPresent()).get("Ping"))
          .contains("Pong");
      pbx.stall();
      c.send("Action: Ping\r\nActionID: p2\r\n\r\n");
      pbx.resume();
      assertThat(c.readUntil(m -> m.get("ActionID").filter("p2"::equals).isPresent()).get("Ping"))
          .contains("Pong");
      pbx.dropAll();
      assertThat(c.readToEnd()).isTrue();
    }
    assertThat(pbx.handlerErrors()).isEmpty();
    assertThat(new String(pbx.garbage(), StandardCharsets.ISO_8859_1)).doesNotContain(":");
  }
}
