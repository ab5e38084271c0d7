package org.sipadapter.freeswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sipadapter.CallException;
import org.sipadapter.CallOptions;
import org.sipadapter.CallRecord;
import org.sipadapter.CallState;
import org.sipadapter.Disposition;
import org.sipadapter.ProtocolException;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.testkit.tck.EventRecorder;

/**
 * A real FreeSWITCH ({@link RealFreeSwitch}) reached as docs/freeswitch.md tells a user: the
 * default endpoint {@code loopback/{to}/{context}} into the dialplan context {@code sdk}, password
 * login, the derived originate rate. Skipped unless {@code -Dsipadapter.freeswitch.home} or {@code
 * FREESWITCH_HOME} names an installed FreeSWITCH.
 */
@ExtendWith(RealFreeSwitch.Available.class)
class RealFreeSwitchLoopbackTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static RealFreeSwitch fs;

  private final EventRecorder events = new EventRecorder();
  private FreeSwitchAdapter adapter;

  @BeforeAll
  static void start() throws Exception {
    fs = new RealFreeSwitch();
    System.out.println("real server: " + fs.version());
  }

  @AfterAll
  static void stop() throws Exception {
    if (fs != null) {
      fs.close();
    }
  }

  @AfterEach
  void closeAdapter() {
    if (adapter != null) {
      adapter.close();
    }
  }

  private AdapterConfig.Builder config() {
    return AdapterConfig.builder(FreeSwitchAdapter.TYPE)
        .name("real-fs-loopback")
        .server(fs.host(), fs.eslPort)
        .auth("", fs.password)
        .option("context", "sdk")
        .timeouts(
            new Timeouts(
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                Duration.ofSeconds(30),
                Duration.ofSeconds(30)));
  }

  private FreeSwitchAdapter connect(AdapterConfig.Builder config) {
    adapter = new FreeSwitchAdapter(config.build());
    adapter.addListener(events);
    adapter.connect();
    return adapter;
  }

  private String connectedCall(String to) {
    String id = adapter.makeCall("1000", to);
    await()
        .atMost(WAIT)
        .failFast(() -> events.ended(id))
        .until(() -> events.states(id).contains(CallState.CONNECTED));
    return id;
  }

  private CallStateChanged terminal(String id) {
    await().atMost(WAIT).until(() -> events.ended(id));
    assertThat(events.terminalEvents(id)).hasSize(1);
    return events.terminalEvents(id).get(0);
  }

  private Optional<CallRecord> record(String id) {
    return adapter.callHistory().stream().filter(r -> r.callId().equals(id)).findFirst();
  }

  private int channels() {
    String count = fs.api("show channels count").trim();
    return Integer.parseInt(count.split(" ")[0]);
  }

  @Test
  void theDefaultEndpointReachesAnExtensionAndAHangupEndsItWithTheServersRecord() {
    connect(config());
    String id = connectedCall("2000");

    adapter.hangup(id);

    CallStateChanged end = terminal(id);
    assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(end.cause().name()).isEqualTo("NORMAL_CLEARING");
    await()
        .atMost(WAIT)
        .until(
            () ->
                record(id)
                    .map(r -> r.timeSource() == CallRecord.TimeSource.SERVER_CDR)
                    .orElse(false));
    CallRecord r = record(id).orElseThrow();
    assertThat(r.serverIds()).containsKeys("billmsec", "mduration", "answer_uepoch");
    assertThat(r.billableDuration())
        .isEqualTo(Duration.ofMillis(Long.parseLong(r.serverIds().get("billmsec"))));
    assertThat(r.disposition()).isEqualTo(Disposition.ANSWERED);
    await().atMost(WAIT).until(() -> channels() == 0);
  }

  @Test
  void aBusyExtensionFailsWithUserBusy() {
    connect(config());
    String id = adapter.makeCall("1000", "2001");

    CallStateChanged end = terminal(id);
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().name()).isEqualTo("USER_BUSY");
    assertThat(record(id).orElseThrow().disposition()).isEqualTo(Disposition.BUSY);
  }

  @Test
  void anUnknownNumberFailsWithNoRoute() {
    connect(config());
    String id = adapter.makeCall("1000", "5555");

    CallStateChanged end = terminal(id);
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().name()).isEqualTo("NO_ROUTE_DESTINATION");
  }

  @Test
  void anUnansweredCallEndsNoAnswerNotBeforeItsRingTimeAndLeavesNoChannel() {
    connect(config());
    long start = System.nanoTime();
    String id =
        adapter.makeCall(
            "1000", "2003", CallOptions.builder().timeout(Duration.ofSeconds(3)).build());

    CallStateChanged end = terminal(id);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().q850()).isIn(18, 19);
    // FreeSWITCH's own originate_timeout fires up to a second early; core's timer does not
    assertThat(elapsedMs).isGreaterThanOrEqualTo(3000);
    await().atMost(WAIT).until(() -> channels() == 0);
  }

  @Test
  void aBlindTransferReportsTransferringThenConnected() {
    connect(config());
    String id = connectedCall("2000");

    adapter.transfer(id, "3000");

    await()
        .atMost(WAIT)
        .until(
            () ->
                events.states(id).contains(CallState.TRANSFERRING)
                    && adapter.getStatus(id).state() == CallState.CONNECTED);
    adapter.hangup(id);
    terminal(id);
  }

  @Test
  void anAttendedTransferBridgesTheCallToTheTarget() {
    connect(config());
    String id = connectedCall("2000");

    adapter.attendedTransfer(id, "3000");

    await()
        .atMost(WAIT)
        .until(
            () ->
                adapter.getStatus(id).serverIds().containsKey(FreeSwitchAdapter.CONSULT_KEY)
                    && adapter.getStatus(id).state() == CallState.CONNECTED);
    assertThat(events.states(id))
        .containsSubsequence(CallState.CONNECTED, CallState.TRANSFERRING, CallState.CONNECTED);
    assertThat(events.incomingCalls()).isEmpty();

    adapter.hangup(id);
    assertThat(terminal(id).state()).isEqualTo(CallState.DISCONNECTED);
    await().atMost(WAIT).until(() -> channels() == 0);
  }

  @Test
  void anAttendedTransferToABusyTargetLeavesTheCallConnected() {
    connect(config());
    String id = connectedCall("2000");

    adapter.attendedTransfer(id, "2001");

    await()
        .atMost(WAIT)
        .until(() -> events.errors().stream().anyMatch(e -> e.message().contains("USER_BUSY")));
    await().atMost(WAIT).until(() -> adapter.getStatus(id).state() == CallState.CONNECTED);
    adapter.hangup(id);
    terminal(id);
  }

  @Test
  void holdOnALoopbackCallIsRefusedAndSendsNothing() {
    connect(config());
    String id = connectedCall("2000");

    assertThatThrownBy(() -> adapter.hold(id)).isInstanceOf(CallException.class);
    assertThat(adapter.getStatus(id).state()).isEqualTo(CallState.CONNECTED);
    adapter.hangup(id);
    terminal(id);
  }

  @Test
  void aUserWithRestrictedEventsCannotConnectAndIsToldWhichSettingToChange() {
    AdapterConfig.Builder limited =
        config().auth(RealFreeSwitch.LIMITED_USER + "@127.0.0.1", RealFreeSwitch.LIMITED_PASSWORD);
    FreeSwitchAdapter a = new FreeSwitchAdapter(limited.build());
    try {
      assertThatThrownBy(a::connect)
          .isInstanceOf(ProtocolException.class)
          .hasMessageContaining("esl-allowed-events");
    } finally {
      a.close();
    }
  }

  @Test
  void theOriginateRateIsDerivedFromTheServersStatus() {
    String status = fs.api("status");
    assertThat(status).contains("session(s) per Sec");
    // FreeSWITCH counts every session made in its current second, whoever made it: those of the
    // tests before (an attended transfer makes four) share the second with this burst, while a
    // new adapter's pacer starts empty. Start from a second without sessions: all channels gone,
    // then the server's last-second count at zero, read after a full second of it.
    await().atMost(WAIT).until(() -> channels() == 0);
    await()
        .pollDelay(Duration.ofMillis(1100))
        .atMost(WAIT)
        .until(() -> fs.api("status").contains("\n0 session(s) per Sec"));
    connect(config());
    // twenty calls at once: none refused by the server's throttle
    java.util.List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(adapter.makeCall("1000", "2000"));
    }
    await()
        .atMost(WAIT)
        .until(
            () ->
                ids.stream()
                    .allMatch(
                        id -> events.states(id).contains(CallState.CONNECTED) || events.ended(id)));
    java.util.List<String> notConnected =
        ids.stream()
            .filter(id -> !events.states(id).contains(CallState.CONNECTED))
            .map(
                id ->
                    id
                        + " "
                        + events.states(id)
                        + " "
                        + events.terminalEvents(id).stream().map(e -> e.cause()).toList())
            .toList();
    assertThat(notConnected).as("calls that did not connect\n%s", fs.logTail()).isEmpty();
    ids.forEach(adapter::hangup);
    ids.forEach(this::terminal);
    await().atMost(WAIT).until(() -> channels() == 0);
  }
}
