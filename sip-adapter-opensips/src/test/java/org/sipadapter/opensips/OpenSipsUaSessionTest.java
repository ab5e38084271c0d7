package org.sipadapter.opensips;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallException;
import org.sipadapter.CallRecord;
import org.sipadapter.CallState;
import org.sipadapter.Disposition;
import org.sipadapter.Feature;
import org.sipadapter.HangupCause;
import org.sipadapter.SipAdapters;
import org.sipadapter.UnsupportedFeatureException;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.testkit.emulator.JsonRpcEmulator;
import org.sipadapter.testkit.opensips.B2bEntities;
import org.sipadapter.testkit.opensips.OpenSipsEmulator;
import org.sipadapter.testkit.tck.EventRecorder;

/** Calls as b2b_entities UA sessions, and calls that fail at once, against the emulator. */
class OpenSipsUaSessionTest {

  private final OpenSipsEmulator opensips = new OpenSipsEmulator().acc(true).start();
  private final EventRecorder events = new EventRecorder();
  private OpenSipsAdapter adapter;

  @AfterEach
  void close() {
    if (adapter != null) {
      adapter.close();
    }
    opensips.close();
  }

  private OpenSipsAdapter connect(AdapterConfig.Builder b) {
    adapter =
        (OpenSipsAdapter)
            SipAdapters.create(
                b.name("os-ua")
                    .server(opensips.host(), opensips.port())
                    .timeouts(
                        new Timeouts(
                            Duration.ofSeconds(10),
                            Duration.ofSeconds(10),
                            Duration.ofSeconds(30),
                            Duration.ofSeconds(5)))
                    .option("eventPort", 0)
                    .build());
    adapter.addListener(events);
    adapter.connect();
    return adapter;
  }

  private OpenSipsAdapter connectWithUaSessions() {
    return connect(
        AdapterConfig.builder("opensips")
            .option("uaSessions", true)
            .option("uaSocket", "udp:127.0.0.1:5090")
            .option("extraEvents", "E_ACC_MISSED_EVENT"));
  }

  private CallStateChanged awaitEnd(String callId) {
    await().atMost(Duration.ofSeconds(60)).until(() -> !events.terminalEvents(callId).isEmpty());
    return events.terminalEvents(callId).get(0);
  }

  @Test
  void makeCallStartsAUaSessionMarkedInItsFromUriAndHangupTerminatesIt() {
    OpenSipsAdapter a = connectWithUaSessions();

    String callId = a.makeCall("1000", "2000");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> events.states(callId).contains(CallState.CONNECTED));
    String key = a.getStatus(callId).serverIds().get(OpenSipsAdapter.UA_KEY);
    assertThat(opensips.requests("ua_session_client_start").get(0).body())
        .contains("\"ruri\":\"sip:2000@127.0.0.1\"")
        .contains(";x-sipadapter=" + a.instanceId() + ".")
        .contains("\"socket\":\"udp:127.0.0.1:5090\"")
        .contains("\"flags\":\"rhb\"");
    assertThat(opensips.uaSessions().state(key)).hasValue(5);

    a.hangup(callId);

    assertThat(awaitEnd(callId).state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(opensips.uaSessions().state(key)).isEmpty();
    assertThat(events.states(callId))
        .containsSubsequence(CallState.DIALING, CallState.RINGING, CallState.CONNECTED);
  }

  /**
   * A real OpenSIPS 3.5.9 sometimes writes bytes of its memory over the reported From header of a
   * reply, the call marker among them. When that event comes before the MI answer with the key, it
   * is held until the answer, not taken for another application's call.
   */
  @Test
  void aRingingEventWithDamagedHeadersBeforeTheKeyIsKnownStillRingsTheCall() throws Exception {
    JsonRpcEmulator.RpcMethod start =
        opensips.mi().implementation("ua_session_client_start").orElseThrow();
    opensips
        .mi()
        .method(
            "ua_session_client_start",
            params -> {
              Object key = start.call(params);
              // the far end's 180 and 200 are reported before the MI answers
              await().atMost(Duration.ofSeconds(30)).until(opensips.uaSessions()::idle);
              return key;
            });
    OpenSipsAdapter a = connectWithUaSessions();
    opensips.uaSessions().damageNextReplyHeaders();

    String callId = a.makeCall("1000", "2000");

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> events.states(callId).contains(CallState.CONNECTED));
    assertThat(events.states(callId))
        .containsExactly(CallState.DIALING, CallState.RINGING, CallState.CONNECTED);
    assertThat(events.incomingCalls()).isEmpty();
  }

  @Test
  void busyCalleeEndsTheCallFailedWithUserBusy() {
    OpenSipsAdapter a = connectWithUaSessions();

    String callId = a.makeCall("1000", "busy");

    CallStateChanged end = awaitEnd(callId);
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().q850()).isEqualTo(17);
  }

  @Test
  void holdSendsSendonlyAndTransferSendsReferToWithABody() {
    OpenSipsAdapter a = connectWithUaSessions();
    String callId = a.makeCall("1000", "2000");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> events.states(callId).contains(CallState.CONNECTED));
    String key = a.getStatus(callId).serverIds().get(OpenSipsAdapter.UA_KEY);

    a.hold(callId);
    assertThat(a.getStatus(callId).state()).isEqualTo(CallState.ON_HOLD);
    a.resume(callId);
    a.transfer(callId, "3000");

    CallStateChanged end = awaitEnd(callId);
    assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(events.states(callId)).contains(CallState.TRANSFERRING);
    assertThat(opensips.uaSessions().sentRequests(key))
        .extracting(B2bEntities.SentRequest::method)
        .containsSubsequence("INVITE", "INVITE", "INVITE", "REFER", "BYE");
    assertThat(opensips.uaSessions().sentRequests(key).get(1).body()).contains("a=sendonly");
    assertThat(
            opensips.uaSessions().sentRequests(key).stream()
                .filter(r -> r.method().equals("REFER"))
                .findFirst()
                .orElseThrow()
                .headers())
        .contains("Refer-To: <sip:3000@127.0.0.1>");
  }

  @Test
  void attendedTransferConsultsTheTargetThenRefersWithReplacesNamingTheConsultation() {
    OpenSipsAdapter a = connectWithUaSessions();
    String callId = a.makeCall("1000", "2000");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> events.states(callId).contains(CallState.CONNECTED));
    String key = a.getStatus(callId).serverIds().get(OpenSipsAdapter.UA_KEY);

    a.attendedTransfer(callId, "3000");

    CallStateChanged end = awaitEnd(callId);
    assertThat(end.state()).isEqualTo(CallState.DISCONNECTED);
    assertThat(events.states(callId)).contains(CallState.TRANSFERRING);
    // the consultation is no call of its own
    assertThat(events.incomingCalls()).isEmpty();
    List<JsonRpcEmulator.RpcRequest> starts = opensips.requests("ua_session_client_start");
    assertThat(starts).hasSize(2);
    assertThat(starts.get(1).body())
        .contains("\"ruri\":\"sip:3000@127.0.0.1\"")
        .contains(";x-sipadapter-consult=" + a.instanceId() + ".");
    B2bEntities.SentRequest refer =
        opensips.uaSessions().sentRequests(key).stream()
            .filter(r -> r.method().equals("REFER"))
            .findFirst()
            .orElseThrow();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "Refer-To: <sip:3000@127\\.0\\.0\\.1\\?Replaces=(B2B[0-9.]+)"
                    + "%3Bto-tag%3D[0-9]+SIPpTag011%3Bfrom-tag%3D[0-9a-f]+-4a11>\r\n")
            .matcher(refer.headers());
    assertThat(m.find()).as(refer.headers()).isTrue();
    // Replaces names the consultation: the session started to the target
    String consultKey = m.group(1);
    assertThat(consultKey).isNotEqualTo(key);
    assertThat(opensips.uaSessions().sentRequests(consultKey))
        .extracting(B2bEntities.SentRequest::method)
        .containsExactly("INVITE");
    // the target replaced the consultation and our leg left the call: nothing is left
    await().atMost(Duration.ofSeconds(5)).until(() -> opensips.uaSessions().keys().isEmpty());
  }

  @Test
  void attendedTransferToABusyTargetFailsAndTheCallStaysConnected() {
    OpenSipsAdapter a = connectWithUaSessions();
    String callId = a.makeCall("1000", "2000");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> events.states(callId).contains(CallState.CONNECTED));
    String key = a.getStatus(callId).serverIds().get(OpenSipsAdapter.UA_KEY);

    assertThatThrownBy(() -> a.attendedTransfer(callId, "busy"))
        .isInstanceOf(CallException.class)
        .hasMessageContaining("refused with 486");

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> a.getStatus(callId).state() == CallState.CONNECTED);
    assertThat(opensips.uaSessions().sentRequests(key))
        .extracting(B2bEntities.SentRequest::method)
        .doesNotContain("REFER");
    assertThat(events.incomingCalls()).isEmpty();
    assertThat(events.terminalEvents(callId)).isEmpty();
  }

  @Test
  void accCdrOfAnAnsweredCallGivesItsRecordTheServerDurations() {
    connect(
        AdapterConfig.builder("opensips").option("extraEvents", "E_ACC_MISSED_EVENT,E_ACC_CDR"));
    opensips.pinClock();
    String dlg = opensips.startDialog("sip:alice@h", "sip:bob@127.0.0.1:5093");
    await().atMost(Duration.ofSeconds(5)).until(() -> events.incomingCalls().size() == 1);
    String callId = events.incomingCalls().get(0).callId();
    opensips.advanceClock(Duration.ofSeconds(1));
    opensips.answer(dlg);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> events.states(callId).contains(CallState.CONNECTED));
    opensips.advanceClock(Duration.ofMillis(2003));

    opensips.endDialog(dlg);

    awaitEnd(callId);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> record(callId).timeSource() == CallRecord.TimeSource.SERVER_CDR);
    CallRecord r = record(callId);
    assertThat(r.billableDuration()).isEqualTo(Duration.ofMillis(2003));
    assertThat(r.setupTime()).isEqualTo(Duration.ofSeconds(1));
    assertThat(r.serverIds())
        .containsEntry("acc_sip_code", "200")
        .containsEntry("acc_duration", "3")
        .containsEntry("acc_ms_duration", "2003");
    assertThat(events.terminalEvents(callId)).hasSize(1);
  }

  private CallRecord record(String callId) {
    return adapter.callHistory().stream()
        .filter(r -> r.callId().equals(callId))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void incomingUaSessionIsAnsweredAndRejectedWithUaSessionReply() {
    OpenSipsAdapter a = connectWithUaSessions();
    String k1 = opensips.uaSessions().incoming("sip:alice@h", "sip:ua-1@127.0.0.1:5090", "arh");
    await().atMost(Duration.ofSeconds(60)).until(() -> events.incomingCalls().size() == 1);
    IncomingCall in = events.incomingCalls().get(0);
    assertThat(in.from()).isEqualTo("sip:alice@h");
    a.answer(in.callId());
    assertThat(opensips.uaSessions().state(k1)).hasValue(5);

    String k2 = opensips.uaSessions().incoming("sip:bob@h", "sip:ua-2@127.0.0.1:5090", "arh");
    await().atMost(Duration.ofSeconds(60)).until(() -> events.incomingCalls().size() == 2);
    String rejected = events.incomingCalls().get(1).callId();
    a.reject(rejected, HangupCause.USER_BUSY);

    CallStateChanged end = awaitEnd(rejected);
    assertThat(end.cause().q850()).isEqualTo(17);
    assertThat(events.states(rejected)).doesNotContain(CallState.CONNECTED);
    assertThat(opensips.requests("ua_session_reply").get(1).body()).contains("\"code\":486");
    assertThat(opensips.uaSessions().state(k2)).isEmpty(); // terminated after the 486 (state 7)
  }

  @Test
  void withoutB2bEntitiesCallControlIsUnsupportedWithTheReason() {
    opensips.b2bEntities(false);
    OpenSipsAdapter a = connectWithUaSessions();

    assertThat(a.features()).containsExactly(Feature.INBOUND_CALLS);
    assertThatThrownBy(() -> a.makeCall("1000", "2000"))
        .isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining("loadmodule \"b2b_entities.so\"");
  }

  @Test
  void aProxiedCallBusyAtOnceIsReportedWithUserBusyFromAcc() {
    connectWithUaSessions();

    opensips.rejectDialog("sip:alice@h", "sip:busy@127.0.0.1:5093", 486, "Busy Here");

    await().atMost(Duration.ofSeconds(60)).until(() -> events.incomingCalls().size() == 1);
    String callId = events.incomingCalls().get(0).callId();
    CallStateChanged end = awaitEnd(callId);
    assertThat(end.state()).isEqualTo(CallState.FAILED);
    assertThat(end.cause().q850()).isEqualTo(17);
    assertThat(adapter.callHistory())
        .filteredOn(r -> r.callId().equals(callId))
        .extracting(r -> r.disposition())
        .containsExactly(Disposition.BUSY);
  }

  @Test
  void openSipsOwnStatelessNotFoundIsStillACallThatFailed() {
    connectWithUaSessions();

    opensips.ownNotFound("sip:alice@h", "sip:nobody@127.0.0.1:5090", false);

    await().atMost(Duration.ofSeconds(60)).until(() -> events.incomingCalls().size() == 1);
    CallStateChanged end = awaitEnd(events.incomingCalls().get(0).callId());
    assertThat(end.state()).isEqualTo(CallState.FAILED);
  }
}
