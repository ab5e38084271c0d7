package org.sipadapter.freeswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sipadapter.CallException;
import org.sipadapter.CallOptions;
import org.sipadapter.CallState;
import org.sipadapter.ConfigurationException;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.event.ServerEvent;
import org.sipadapter.testkit.esl.EslEmulator;
import org.sipadapter.testkit.tck.EventRecorder;

class FreeSwitchAdapterTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final EslEmulator emulator =
      new EslEmulator("secret-1").route("2000", EslEmulator.Behavior.ANSWER).start();
  private final EventRecorder events = new EventRecorder();
  private SipAdapter adapter;

  @AfterEach
  void closeAll() {
    if (adapter != null) {
      adapter.close();
    }
    emulator.close();
  }

  private FreeSwitchAdapter connect(AdapterConfig config) {
    FreeSwitchAdapter a = new FreeSwitchAdapter(config);
    adapter = a;
    a.addListener(events);
    a.connect();
    return a;
  }

  private FreeSwitchAdapter connect() {
    return connect(EslEmulatorFixture.configFor(emulator, "secret-1"));
  }

  private String connectedCall(SipAdapter a, String to, CallOptions options) {
    String id = a.makeCall("1000", to, options);
    await().atMost(WAIT).until(() -> events.states(id).contains(CallState.CONNECTED));
    return id;
  }

  private static String uuid(SipAdapter a, String callId) {
    return a.getStatus(callId).serverIds().get(FreeSwitchAdapter.UUID_KEY);
  }

  @Test
  void providerIsFoundByTypeAndDefaultsToPort8021() {
    assertThat(SipAdapters.availableTypes()).contains("freeswitch");
    assertThat(new FreeSwitchAdapterProvider().defaultPort()).isEqualTo(8021);
    SipAdapter a = SipAdapters.create(EslEmulatorFixture.configFor(emulator, "secret-1"));
    adapter = a;
    assertThat(a).isInstanceOf(FreeSwitchAdapter.class);
    assertThat(a.type()).isEqualTo("freeswitch");
  }

  @Test
  void yamlFromTheDocsBuildsAnAdapterWithItsOptions() {
    String yaml =
        "type: freeswitch\n"
            + "name: fs-1\n"
            + "host: "
            + emulator.host()
            + "\n"
            + "port: "
            + emulator.port()
            + "\n"
            + "auth: { password: secret-1 }\n"
            + "options:\n"
            + "  gateway: gw1\n"
            + "  originateRate: 5\n"
            + "  eventFormat: json\n";
    SipAdapter a = SipAdapters.fromYaml(yaml);
    adapter = a;
    FreeSwitchSettings settings = ((FreeSwitchAdapter) a).settings();
    assertThat(settings.endpoint()).isEqualTo("sofia/gateway/{gateway}/{to}");
    assertThat(settings.originateRate()).isEqualTo(5);
    assertThat(settings.eventFormat()).isEqualTo("json");
    a.connect();
    assertThat(a.connectionState()).isEqualTo(org.sipadapter.ConnectionState.CONNECTED);
    assertThat(a.serverVersion()).hasValue("1.10.12-release");
  }

  @Test
  void badOptionsAreAllReportedWhenTheAdapterIsBuilt() {
    AdapterConfig config =
        EslEmulatorFixture.configFor(emulator, "secret-1").toBuilder()
            .option("endpoint", "sofia/gateway/{gateway}/x")
            .option("originateRate", -1)
            .option("eventFormat", "xml")
            .build();
    assertThatThrownBy(() -> SipAdapters.create(config))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("options.endpoint")
        .hasMessageContaining("options.gateway")
        .hasMessageContaining("options.originateRate")
        .hasMessageContaining("options.eventFormat");
  }

  @Test
  void originateUsesBgapiWithPresetUuidCallerIdAndTimeout() {
    FreeSwitchAdapter a = connect();
    String id =
        connectedCall(
            a,
            "2000",
            CallOptions.builder()
                .callerIdName("Front Desk")
                .timeout(Duration.ofSeconds(25))
                .variable("sip_secure_media", "true")
                .build());
    String uuid = uuid(a, id);
    assertThat(emulator.call(uuid)).isNotNull();
    assertThat(emulator.apiCommands())
        .anySatisfy(
            c ->
                assertThat(c)
                    .startsWith("originate {origination_uuid=" + uuid)
                    .contains("origination_caller_id_number=1000")
                    .contains("origination_caller_id_name='Front Desk'")
                    .contains("originate_timeout=27")
                    .contains("sip_secure_media=true")
                    .endsWith("}loopback/2000/default &park()"));
  }

  @Test
  void theServersRingTimeoutIsABackstopRoundedUpPastCoresExactTimer() {
    // FreeSWITCH counts originate_timeout in whole clock seconds and fires up to 1 s early: two
    // seconds more keep it at least a second after core's timer
    assertThat(FreeSwitchDriver.backstopSeconds(Duration.ofMillis(2500))).isEqualTo(5);
    assertThat(FreeSwitchDriver.backstopSeconds(Duration.ofSeconds(3))).isEqualTo(5);
    assertThat(FreeSwitchDriver.backstopSeconds(Duration.ofMillis(10))).isEqualTo(3);
  }

  @Test
  void aThrottledOriginateEndsWithACauseThatSaysSo() {
    assertThat(FreeSwitchDriver.originateFailureText("-ERR DESTINATION_OUT_OF_ORDER\n"))
        .contains("sessions-per-second")
        .contains("options.originateRate");
  }

  @Test
  void aUserWhoseAllowedEventsAreRestrictedFailsConnectNamingTheSetting() {
    emulator.user("esl-limited@sdk", "limited-1", List.of("CHANNEL_CREATE"), List.of("status"));
    FreeSwitchAdapter a =
        new FreeSwitchAdapter(
            EslEmulatorFixture.configFor(emulator, "limited-1").toBuilder()
                .auth("esl-limited@sdk", "limited-1")
                .build());
    adapter = a;
    assertThatThrownBy(a::connect)
        .isInstanceOf(org.sipadapter.ProtocolException.class)
        .hasMessageContaining("permission denied")
        .hasMessageContaining("esl-allowed-events")
        .hasMessageContaining("BACKGROUND_JOB");
  }

  @Test
  void holdOnALoopbackChannelIsReportedAsFailed() {
    FreeSwitchAdapter a =
        connect(
            EslEmulatorFixture.configFor(emulator, "secret-1").toBuilder()
                .option("endpoint", "loopback/{to}/sdk")
                .build());
    String id = connectedCall(a, "100", CallOptions.DEFAULTS);
    assertThatThrownBy(() -> a.hold(id))
        .isInstanceOf(CallException.class)
        .hasMessageContaining("loopback");
    assertThat(a.getStatus(id).state()).isEqualTo(CallState.CONNECTED);
    assertThat(emulator.apiCommands()).noneMatch(c -> c.startsWith("uuid_hold"));
  }

  @Test
  void aCallStuckInEarlyMediaStillEndsAtItsRingTimeout() {
    // Without ignore_early_media FreeSWITCH answers the originate +OK at early media (fixture 22)
    // and its own originate_timeout no longer applies; core's ring timer still does.
    FreeSwitchAdapter a =
        connect(
            EslEmulatorFixture.configFor(emulator, "secret-1").toBuilder()
                .option("endpoint", "loopback/{to}/sdk")
                .build());
    String id =
        a.makeCall(
            "1000",
            "184",
            CallOptions.builder().earlyMedia(true).timeout(Duration.ofSeconds(1)).build());
    await().atMost(WAIT).until(() -> events.ended(id));
    assertThat(events.states(id))
        .contains(CallState.EARLY_MEDIA)
        .doesNotContain(CallState.CONNECTED);
    assertThat(a.getStatus(id).state()).isEqualTo(CallState.FAILED);
    assertThat(a.getStatus(id).hangupCause().map(org.sipadapter.HangupCause::name))
        .contains("NO_ANSWER");
    await().atMost(WAIT).until(() -> emulator.activeCalls().isEmpty());
  }

  @Test
  void theOriginateCarriesTheCallMarkerAsAChannelVariable() {
    FreeSwitchAdapter a = connect();
    String id = connectedCall(a, "2000", CallOptions.DEFAULTS);
    String marker = a.instanceId() + "." + id.substring(id.lastIndexOf('/') + 1);
    assertThat(emulator.apiCommands())
        .anySatisfy(c -> assertThat(c).contains("sipadapter_call=" + marker));
    // the emulator puts the originate's variables on the channel's events, as FreeSWITCH does
    assertThat(emulator.call(uuid(a, id)).variables()).containsEntry("sipadapter_call", marker);
  }

  @Test
  void aCallAnotherEslClientOriginatesWithoutAMarkerIsReportedAsNotPlacedHere() throws Exception {
    FreeSwitchAdapter a = connect();
    try (java.net.Socket other = new java.net.Socket(emulator.host(), emulator.port())) {
      other.setSoTimeout(5000);
      java.io.OutputStream out = other.getOutputStream();
      out.write(
          "auth secret-1\n\nbgapi originate loopback/2000 &park()\n\n"
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.flush();
      await().atMost(WAIT).until(() -> !events.incomingCalls().isEmpty());
    }
    assertThat(events.incomingCalls()).hasSize(1);
    assertThat(events.incomingCalls().get(0).to()).isEqualTo("2000");
    await().atMost(WAIT).until(() -> a.activeCalls().isEmpty() || hasConnectedInbound(a));
    assertThat(a.activeCalls())
        .allSatisfy(c -> assertThat(c.direction()).isEqualTo(org.sipadapter.CallDirection.INBOUND));
  }

  private static boolean hasConnectedInbound(SipAdapter a) {
    return a.activeCalls().stream()
        .anyMatch(
            c ->
                c.direction() == org.sipadapter.CallDirection.INBOUND
                    && c.state() == CallState.CONNECTED);
  }

  @Test
  void aServerThatDoesNotAnswerTheProbeIsNotHealthy() {
    FreeSwitchAdapter a = connect();
    assertThat(a.healthCheck().status()).isEqualTo(org.sipadapter.HealthStatus.HEALTHY);
    emulator.stall();
    org.sipadapter.HealthReport report = a.healthCheck();
    emulator.resumeDiscardingHeld();
    assertThat(report.status()).isNotEqualTo(org.sipadapter.HealthStatus.HEALTHY);
    assertThat(report.reasons()).anySatisfy(r -> assertThat(r).startsWith("server check"));
  }

  @Test
  void originatesBeyondTheBurstAreQueuedThenAllSentAndEveryCallTracked() {
    int perSecond = 5;
    int calls = perSecond + 4; // four have to wait for a slot
    FreeSwitchAdapter a =
        connect(
            EslEmulatorFixture.configFor(emulator, "secret-1").toBuilder()
                .option("originateRate", perSecond)
                .build());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      ids.add(a.makeCall("1000", "2000"));
    }

    await()
        .atMost(WAIT)
        .until(() -> ids.stream().allMatch(id -> events.states(id).contains(CallState.CONNECTED)));
    List<String> sentUuids =
        emulator.apiCommands().stream()
            .filter(c -> c.startsWith("originate {origination_uuid="))
            .map(c -> c.substring("originate {origination_uuid=".length(), c.indexOf(',')))
            .toList();
    List<String> callUuids = ids.stream().map(id -> uuid(a, id)).toList();
    assertThat(sentUuids).hasSize(calls).doesNotHaveDuplicates();
    // The burst goes out at once in call order; the queued ones follow it.
    assertThat(sentUuids.subList(0, perSecond)).isEqualTo(callUuids.subList(0, perSecond));
    assertThat(sentUuids).containsExactlyInAnyOrderElementsOf(callUuids);
    assertThat(ids).allSatisfy(id -> assertThat(emulator.call(uuid(a, id))).isNotNull());
    assertThat(a.activeCalls()).hasSize(calls);
  }

  @ParameterizedTest
  @ValueSource(strings = {"20,00", "2000}", "{x=y}2000", "20 00", "it's", "2000\n\napi status"})
  void destinationsThatWouldSplitTheCommandAreRefusedBeforeSending(String to) {
    FreeSwitchAdapter a = connect();
    int before = emulator.apiCommands().size();
    assertThatThrownBy(() -> a.makeCall("1000", to)).isInstanceOf(IllegalArgumentException.class);
    assertThat(emulator.apiCommands()).hasSize(before);
  }

  @Test
  void variablesAndCallerNamesWithSeparatorsAreRefused() {
    FreeSwitchAdapter a = connect();
    assertThatThrownBy(
            () -> a.makeCall("1000", "2000", CallOptions.builder().variable("x", "a,b").build()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> a.makeCall("1000", "2000", CallOptions.builder().callerIdName("O'Brien").build()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> a.makeCall("1000", "2000", CallOptions.builder().variable("a-b", "1").build()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(emulator.apiCommands()).noneMatch(c -> c.startsWith("originate"));
  }

  @Test
  void transferTargetAndRecordingFileAreCheckedToo() {
    FreeSwitchAdapter a = connect();
    String id = connectedCall(a, "2000", CallOptions.DEFAULTS);
    assertThatThrownBy(() -> a.transfer(id, "3000 XML evil"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> a.startRecording(id, "/tmp/a b.wav"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> a.sendDtmf(id, "1,2")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void transferToADialplanExtensionKeepsTheCallUntilTheExtensionHangsUp() {
    // 9104 is the recorded transfer target: it answers, sets a variable, sleeps and hangs up.
    FreeSwitchAdapter a = connect();
    String id = connectedCall(a, "2000", CallOptions.DEFAULTS);
    String uuid = uuid(a, id);

    a.transfer(id, "9104");

    assertThat(emulator.apiCommands()).contains("uuid_transfer " + uuid + " 9104 XML default");
    await().atMost(WAIT).until(() -> events.ended(id));
    assertThat(events.states(id))
        .containsSubsequence(CallState.DIALING, CallState.CONNECTED, CallState.DISCONNECTED)
        .doesNotContain(CallState.FAILED);
    assertThat(events.terminalEvents(id))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.state()).isEqualTo(CallState.DISCONNECTED);
              assertThat(e.cause().name()).isEqualTo("NORMAL_CLEARING");
            });
    assertThat(a.getStatus(id).serverIds()).containsEntry(FreeSwitchAdapter.UUID_KEY, uuid);
  }

  @Test
  void conferenceMovesCallsIntoTheRoomAndListsThem() {
    FreeSwitchAdapter a = connect();
    String one = connectedCall(a, "2000", CallOptions.DEFAULTS);
    String two = connectedCall(a, "2000", CallOptions.DEFAULTS);
    a.conference("sales", one, two);

    String json = a.conferenceList("sales").join();
    assertThat(json).contains("\"conference_name\":\"sales\"").contains(uuid(a, one), uuid(a, two));
    await()
        .atMost(WAIT)
        .until(
            () ->
                events.of(ServerEvent.class).stream()
                        .filter(e -> e.name().equals("CUSTOM conference::maintenance"))
                        .count()
                    == 2);
    assertThatThrownBy(() -> a.conferenceList("nobody-here").join())
        .hasCauseInstanceOf(CallException.class)
        .hasMessageContaining("not found");
  }

  @Test
  void sendDtmfAndBridgeReachTheServer() {
    FreeSwitchAdapter a = connect();
    String one = connectedCall(a, "2000", CallOptions.DEFAULTS);
    String two = connectedCall(a, "2000", CallOptions.DEFAULTS);
    a.sendDtmf(one, "12#");
    assertThat(emulator.dtmfSent(uuid(a, one))).containsExactly("12#");
    a.bridge(one, two);
    await()
        .atMost(WAIT)
        .until(
            () ->
                events.of(ServerEvent.class).stream()
                    .anyMatch(
                        e ->
                            e.name().equals("CHANNEL_BRIDGE")
                                && uuid(a, two).equals(e.fields().get("Other-Leg-Unique-ID"))));
  }

  @Test
  void codeChainedOnAReplyMayWaitForAnotherRequest() {
    // hold needs a SIP endpoint (a loopback call cannot be held)
    FreeSwitchAdapter a =
        connect(
            EslEmulatorFixture.configFor(emulator, "secret-1").toBuilder()
                .option("endpoint", "sofia/internal/{to}@192.0.2.10")
                .build());
    String id = connectedCall(a, "2000", CallOptions.DEFAULTS);
    // The chained resume() blocks until its own reply arrives: it must not run on the thread that
    // delivers replies, or it waits for itself until the request timeout.
    CompletableFuture<Void> holdThenResume = a.holdAsync(id).thenRun(() -> a.resume(id));
    assertThat(holdThenResume).succeedsWithin(WAIT);
  }

  @Test
  void remoteHangupEndsTheCallDisconnectedWithTheServersCause() {
    FreeSwitchAdapter a = connect();
    String id = connectedCall(a, "2000", CallOptions.DEFAULTS);
    emulator.hangupFromRemote(uuid(a, id), "NORMAL_CLEARING");
    await().atMost(WAIT).until(() -> events.ended(id));
    assertThat(events.terminalEvents(id))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.state()).isEqualTo(CallState.DISCONNECTED);
              assertThat(e.cause().name()).isEqualTo("NORMAL_CLEARING");
            });
  }

  @Test
  void requestsFailFastWhenTheServerGoesAway() {
    FreeSwitchAdapter a = connect();
    String id = connectedCall(a, "2000", CallOptions.DEFAULTS);
    emulator.close();
    assertThatThrownBy(() -> a.hold(id)).isInstanceOf(RuntimeException.class);
  }

  @Test
  void jsonEventFormatDrivesCallsTheSameWay() {
    FreeSwitchAdapter a =
        connect(
            EslEmulatorFixture.configFor(emulator, "secret-1").toBuilder()
                .option("eventFormat", "json")
                .build());
    String id = connectedCall(a, "2000", CallOptions.DEFAULTS);
    a.hangup(id);
    await().atMost(WAIT).until(() -> events.ended(id));
    assertThat(events.states(id))
        .containsSubsequence(CallState.DIALING, CallState.CONNECTED, CallState.DISCONNECTED);
  }

  @Test
  void busyAndUnknownDestinationsEndFailedWithFreeSwitchCauses() {
    emulator.route("2001", EslEmulator.Behavior.BUSY).route("2002", EslEmulator.Behavior.UNKNOWN);
    FreeSwitchAdapter a = connect();
    String busy = a.makeCall("1000", "2001");
    String unknown = a.makeCall("1000", "2002");
    await().atMost(WAIT).until(() -> events.ended(busy) && events.ended(unknown));
    assertThat(events.terminalEvents(busy))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.state()).isEqualTo(CallState.FAILED);
              assertThat(e.cause().name()).isEqualTo("USER_BUSY");
            });
    assertThat(events.terminalEvents(unknown))
        .singleElement()
        .satisfies(e -> assertThat(e.cause().name()).isEqualTo("NO_ROUTE_DESTINATION"));
    assertThat(List.of(a.getStatus(busy).state(), a.getStatus(unknown).state()))
        .containsOnly(CallState.FAILED);
  }
}
