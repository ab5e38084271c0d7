package org.sipadapter.opensips;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.sipadapter.CallException;
import org.sipadapter.CallRecord;
import org.sipadapter.CallState;
import org.sipadapter.Disposition;
import org.sipadapter.Feature;
import org.sipadapter.HangupCause;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;
import org.sipadapter.testkit.tck.EventRecorder;

/**
 * The adapter against a real OpenSIPS 3.5 on loopback, with SIPp phones: proxied dialogs (answered,
 * busy at once, OpenSIPS's own 404s, ended by the adapter), acc's records and missed-call codes,
 * and b2b_entities UA sessions (makeCall, hold, DTMF, blind and attended transfer, answer and
 * reject of incoming sessions).
 *
 * <p>Runs only where the system property {@value #HOME} names an OpenSIPS: a directory with the
 * {@code opensips} binary (or {@code sbin/opensips}) and its modules (a source tree's {@code
 * modules/<name>/<name>.so}, or {@code lib64/opensips/modules}), for example {@code
 * -Dsipadapter.opensips.home=/opt/opensips}. The modules of {@code opensips-real.cfg} must be
 * built: tm, sl, rr, signaling, sipmsgops, maxfwd, httpd, mi_http, dialog, event_stream, acc,
 * uac_auth, b2b_entities (proto_udp is built into the core).
 */
@EnabledIfSystemProperty(named = OpenSipsRealServerTest.HOME, matches = ".+")
class OpenSipsRealServerTest {

  /** The system property naming the OpenSIPS installation or build directory. */
  static final String HOME = "sipadapter.opensips.home";

  private static final Duration WAIT = Duration.ofSeconds(60);

  private static Path dir;
  private static Process opensips;
  private static int sipPort;
  private static int httpPort;
  private static SippProcess phone;
  private static SippProcess consultPhone;
  private static SippProcess busy;

  private final EventRecorder events = new EventRecorder();
  private OpenSipsAdapter adapter;
  private SippProcess caller;

  @BeforeAll
  static void startOpenSips() throws Exception {
    Path home = Path.of(System.getProperty(HOME));
    Path binary =
        Files.isExecutable(home.resolve("opensips"))
            ? home.resolve("opensips")
            : home.resolve("sbin/opensips");
    Path modules =
        Files.isDirectory(home.resolve("modules/tm"))
            ? home.resolve("modules")
            : home.resolve("lib64/opensips/modules");
    dir = Files.createTempDirectory("opensips-real-");
    sipPort = freeUdpPort();
    httpPort = freeTcpPort();
    String cfg;
    try (InputStream in = OpenSipsRealServerTest.class.getResourceAsStream("opensips-real.cfg")) {
      cfg = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    cfg =
        cfg.replace("@SIP_PORT@", Integer.toString(sipPort))
            .replace("@HTTP_PORT@", Integer.toString(httpPort))
            .replace("@MPATH@", modules.toAbsolutePath() + "/");
    Path cfgFile = dir.resolve("opensips.cfg");
    Files.writeString(cfgFile, cfg);
    opensips =
        new ProcessBuilder(
                binary.toString(), "-F", "-f", cfgFile.toString(), "-w", dir.toString(), "-m", "64")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("opensips.log").toFile())
            .start();
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              if (!opensips.isAlive()) {
                throw new IllegalStateException("opensips exited: " + log());
              }
              return miAnswers();
            });
    phone = SippProcess.uas(UasScenario.ANSWER).scenarioFile(scenario("os-phone.xml")).start();
    consultPhone =
        SippProcess.uas(UasScenario.ANSWER).scenarioFile(scenario("os-phone.xml")).start();
    busy = SippProcess.uas(UasScenario.BUSY).start();
  }

  @AfterAll
  static void stopOpenSips() throws Exception {
    for (SippProcess p : new SippProcess[] {phone, consultPhone, busy}) {
      if (p != null) {
        p.close();
      }
    }
    if (opensips != null) {
      opensips.destroy();
      if (!opensips.waitFor(10, TimeUnit.SECONDS)) {
        opensips.destroyForcibly();
      }
    }
  }

  @AfterEach
  void closeAdapter() {
    if (caller != null) {
      caller.close();
    }
    if (adapter != null) {
      adapter.close();
    }
  }

  private static String log() {
    try {
      return Files.readString(dir.resolve("opensips.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static boolean miAnswers() {
    try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), httpPort)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Path scenario(String name) throws IOException {
    Path file = dir.resolve(name);
    try (InputStream in = OpenSipsRealServerTest.class.getResourceAsStream(name)) {
      Files.write(file, in.readAllBytes());
    }
    return file;
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static int freeTcpPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private OpenSipsAdapter connect() {
    adapter =
        (OpenSipsAdapter)
            SipAdapters.create(
                AdapterConfig.builder("opensips")
                    .name("os-real")
                    .server("127.0.0.1", httpPort)
                    .timeouts(
                        new Timeouts(
                            Duration.ofSeconds(10),
                            Duration.ofSeconds(10),
                            Duration.ofSeconds(30),
                            Duration.ofSeconds(5)))
                    .option("eventPort", 0)
                    .option("uaSessions", true)
                    .option("uaSocket", "udp:127.0.0.1:" + sipPort)
                    .option("extraEvents", "E_ACC_MISSED_EVENT,E_ACC_CDR")
                    .build());
    adapter.addListener(events);
    adapter.connect();
    return adapter;
  }

  /** A SIPp caller through OpenSIPS to {@code user}; it hangs up 8 s after the answer. */
  private void call(String user) throws IOException {
    caller =
        SippProcess.uac("127.0.0.1", sipPort)
            .scenarioFile(scenario("os-caller.xml"))
            .service(user)
            .calls(1)
            .start();
  }

  private IncomingCall awaitIncoming() {
    await().atMost(WAIT).until(() -> !events.incomingCalls().isEmpty());
    return events.incomingCalls().get(0);
  }

  private CallStateChanged awaitEnd(String callId) {
    await().atMost(WAIT).until(() -> events.ended(callId));
    assertThat(events.terminalEvents(callId)).hasSize(1);
    return events.terminalEvents(callId).get(0);
  }

  private void awaitState(String callId, CallState state) {
    await().atMost(WAIT).until(() -> events.states(callId).contains(state));
  }

  private Optional<CallRecord> record(String callId) {
    return adapter.callHistory().stream().filter(r -> r.callId().equals(callId)).findFirst();
  }

  private String uaKey(String callId) {
    return adapter.getStatus(callId).serverIds().get(OpenSipsAdapter.UA_KEY);
  }

  // ------------------------------------------------------------------ proxied dialogs

  @Test
  void proxiedCallRingsConnectsEndsAndGetsAccsRecord() throws IOException {
    connect();
    assertThat(adapter.serverVersion()).hasValueSatisfying(v -> assertThat(v).contains("3.5"));
    assertThat(adapter.features())
        .contains(Feature.OUTBOUND_CALLS, Feature.ATTENDED_TRANSFER, Feature.HOLD);

    call("p" + phone.port() + "-bob");

    IncomingCall in = awaitIncoming();
    assertThat(in.from()).startsWith("sip:caller@127.0.0.1");
    assertThat(in.to()).isEqualTo("sip:p" + phone.port() + "-bob@127.0.0.1:" + sipPort);
    CallStateChanged end = awaitEnd(in.callId());
    assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(events.states(in.callId()))
        .containsExactly(CallState.RINGING, CallState.CONNECTED, CallState.DISCONNECTED);
    await()
        .atMost(WAIT)
        .until(
            () ->
                record(in.callId()).map(CallRecord::timeSource).orElse(null)
                    == CallRecord.TimeSource.SERVER_CDR);
    CallRecord r = record(in.callId()).orElseThrow();
    assertThat(r.serverIds()).containsEntry("acc_sip_code", "200");
    // the caller hangs up 8 s after the answer
    assertThat(r.billableDuration()).isBetween(Duration.ofSeconds(7), Duration.ofSeconds(12));
  }

  @Test
  void proxiedCallBusyAtOnceIsReportedWithUserBusyFromAcc() throws IOException {
    connect();

    call("p" + busy.port() + "-busy");

    IncomingCall in = awaitIncoming();
    CallStateChanged end = awaitEnd(in.callId());
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().q850()).isEqualTo(17);
    await().atMost(WAIT).until(() -> record(in.callId()).isPresent());
    assertThat(record(in.callId()).orElseThrow().disposition()).isEqualTo(Disposition.BUSY);
    assertThat(events.incomingCalls()).hasSize(1);
  }

  @Test
  void openSipsOwnStatelessAndStatefulNotFoundAreCallsThatFailed() throws IOException {
    connect();

    call("own404-x");
    IncomingCall stateless = awaitIncoming();
    assertThat(awaitEnd(stateless.callId()).state()).isEqualTo(CallState.FAILED);
    caller.close();
    caller = null;

    call("tm404-x");
    await().atMost(WAIT).until(() -> events.incomingCalls().size() == 2);
    String stateful = events.incomingCalls().get(1).callId();
    CallStateChanged end = awaitEnd(stateful);
    assertThat(end.state()).isEqualTo(CallState.FAILED);
  }

  @Test
  void hangupEndsAProxiedDialogOnBothLegs() throws Exception {
    connect();
    call("p" + phone.port() + "-hangup");
    IncomingCall in = awaitIncoming();
    awaitState(in.callId(), CallState.CONNECTED);

    adapter.hangup(in.callId());

    assertThat(awaitEnd(in.callId()).state()).isEqualTo(CallState.DISCONNECTED);
    // the caller got OpenSIPS's BYE and finished well before its own 8 s hangup
    assertThat(caller.awaitExit(WAIT)).isZero();
    assertThat(adapter.serverDialogs()).allMatch(d -> d.state().ended());
  }

  // ------------------------------------------------------------------ UA sessions

  @Test
  void makeCallHoldResumeDtmfAndHangupAsAUaSession() throws Exception {
    connect();
    String callId = adapter.makeCall("1000", "sip:bob@127.0.0.1:" + phone.port());
    awaitState(callId, CallState.CONNECTED);
    String key = uaKey(callId);

    adapter.hold(callId);
    assertThat(adapter.getStatus(callId).state()).isEqualTo(CallState.ON_HOLD);
    adapter.resume(callId);
    adapter.sendDtmf(callId, "1");
    adapter.hangup(callId);

    assertThat(awaitEnd(callId).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(events.states(callId))
        .containsSubsequence(
            CallState.DIALING,
            CallState.RINGING,
            CallState.CONNECTED,
            CallState.ON_HOLD,
            CallState.CONNECTED,
            CallState.DISCONNECTED);
    String trace = phone.messageTrace();
    assertThat(trace).contains("a=sendonly").contains("INFO sip:").contains("Signal=1");
    await().atMost(WAIT).until(() -> !uaSessions().contains(key));
  }

  @Test
  void makeCallToABusyOrUnknownDestinationFails() {
    connect();

    String busyCall = adapter.makeCall("1000", "sip:x@127.0.0.1:" + busy.port());
    CallStateChanged b = awaitEnd(busyCall);
    String unknown = adapter.makeCall("1000", "sip:nobody@127.0.0.1:" + sipPort);
    CallStateChanged u = awaitEnd(unknown);

    assertThat(b.state()).isEqualTo(CallState.FAILED);
    assertThat(b.cause().q850()).isEqualTo(17);
    assertThat(u.state()).isEqualTo(CallState.FAILED);
    assertThat(u.cause().sipStatus()).isEqualTo(404);
  }

  @Test
  void blindTransferSendsReferToAndEndsOurLegOnTheNotify() {
    connect();
    String callId = adapter.makeCall("1000", "sip:bob@127.0.0.1:" + phone.port());
    awaitState(callId, CallState.CONNECTED);

    adapter.transfer(callId, "sip:carol@127.0.0.1:9");

    assertThat(awaitEnd(callId).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(events.states(callId)).contains(CallState.TRANSFERRING);
    assertThat(phone.messageTrace()).contains("Refer-To: <sip:carol@127.0.0.1:9>");
  }

  @Test
  void attendedTransferConsultsThenRefersWithReplaces() {
    connect();
    String callId = adapter.makeCall("1000", "sip:bob@127.0.0.1:" + phone.port());
    awaitState(callId, CallState.CONNECTED);

    String key = uaKey(callId);
    List<String> before = uaSessions();

    adapter.attendedTransfer(callId, "sip:carol@127.0.0.1:" + consultPhone.port());

    assertThat(awaitEnd(callId).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(events.states(callId)).contains(CallState.TRANSFERRING);
    assertThat(events.incomingCalls()).isEmpty();
    assertThat(phone.messageTrace())
        .containsPattern(
            "Refer-To: <sip:carol@127\\.0\\.0\\.1:"
                + consultPhone.port()
                + "\\?Replaces=B2B\\.[0-9.]+%3Bto-tag%3D[^%>]+%3Bfrom-tag%3D[^%>]+>");
    // the consultation reached the target, and nothing is left once the transfer is over
    assertThat(consultPhone.messageTrace()).contains("x-sipadapter-consult=");
    await()
        .atMost(WAIT)
        .until(() -> !uaSessions().contains(key) && before.containsAll(uaSessions()));
  }

  @Test
  void attendedTransferToABusyTargetLeavesTheCallConnected() {
    connect();
    String callId = adapter.makeCall("1000", "sip:bob@127.0.0.1:" + phone.port());
    awaitState(callId, CallState.CONNECTED);

    assertThatThrownBy(() -> adapter.attendedTransfer(callId, "sip:carol@127.0.0.1:" + busy.port()))
        .isInstanceOf(CallException.class)
        .hasMessageContaining("486");

    await().atMost(WAIT).until(() -> adapter.getStatus(callId).state() == CallState.CONNECTED);
    adapter.hangup(callId);
    awaitEnd(callId);
  }

  @Test
  void incomingUaSessionIsAnsweredAndTheCallersByeEndsIt() throws IOException {
    connect();
    call("ua-alice");

    IncomingCall in = awaitIncoming();
    adapter.answer(in.callId());

    awaitState(in.callId(), CallState.CONNECTED);
    String key = uaKey(in.callId());
    assertThat(awaitEnd(in.callId()).state()).isEqualTo(CallState.DISCONNECTED);
    await().atMost(WAIT).until(() -> !uaSessions().contains(key));
  }

  @Test
  void incomingUaSessionIsRejectedBusyAndLeavesNoSession() throws Exception {
    connect();
    call("ua-bob");

    IncomingCall in = awaitIncoming();
    String key = uaKey(in.callId());
    adapter.reject(in.callId(), HangupCause.USER_BUSY);

    CallStateChanged end = awaitEnd(in.callId());
    assertThat(end.cause().q850()).isEqualTo(17);
    assertThat(events.states(in.callId())).doesNotContain(CallState.CONNECTED);
    // the caller got the 486 (and ACKed it); the session rejected over MI is dropped
    assertThat(caller.awaitExit(WAIT)).isZero();
    await().atMost(WAIT).until(() -> !uaSessions().contains(key));
  }

  /**
   * The keys of the UA sessions OpenSIPS lists ({@code ua_session_list}): the Call-ID of an
   * outgoing one, the To tag of an incoming one (both are given for each).
   */
  private List<String> uaSessions() {
    try {
      var client = java.net.http.HttpClient.newHttpClient();
      var req =
          java.net.http.HttpRequest.newBuilder(
                  java.net.URI.create("http://127.0.0.1:" + httpPort + "/mi"))
              .header("Content-Type", "application/json")
              .POST(
                  java.net.http.HttpRequest.BodyPublishers.ofString(
                      "{\"jsonrpc\":\"2.0\",\"method\":\"ua_session_list\",\"id\":1}"))
              .build();
      String body = client.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      var result = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("result");
      List<String> keys = new java.util.ArrayList<>();
      result.forEach(
          n -> {
            keys.add(n.path("callid").asText());
            keys.add(n.path("to_tag").asText());
          });
      return keys;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
