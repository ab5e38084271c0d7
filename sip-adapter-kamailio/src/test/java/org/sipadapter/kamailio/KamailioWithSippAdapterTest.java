package org.sipadapter.kamailio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallState;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.testkit.kamailio.KamailioServer;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;

/**
 * Two adapters on one call: the SIPp adapter places calls through Kamailio, the Kamailio adapter
 * sees them as incoming dialogs and ends one, and the SIPp side sees that end.
 */
class KamailioWithSippAdapterTest {

  @Test
  void kamailioAdapterEndsACallTheSippAdapterPlacedThroughIt() {
    assumeTrue(KamailioServer.isInstalled(), "Kamailio is not installed");
    try (SippProcess phone = SippProcess.uas(UasScenario.ANSWER).start();
        KamailioServer kamailio =
            KamailioServer.builder().route("2000", phone.port()).build().start();
        SipAdapter kam =
            SipAdapters.create(
                AdapterConfig.builder("kamailio")
                    .name("edge")
                    .server(KamailioServer.HOST, kamailio.sipPort())
                    .option("evapiPort", kamailio.evapiPort())
                    .build());
        SipAdapter sipp =
            SipAdapters.create(
                AdapterConfig.builder("sipp")
                    .name("loadgen")
                    .option("mode", "embedded")
                    .option("target", KamailioServer.HOST + ":" + kamailio.sipPort())
                    .build())) {
      List<AdapterEvent> kamEvents = record(kam);
      List<AdapterEvent> sippEvents = record(sipp);
      kam.connect();
      sipp.connect();

      String placed = sipp.makeCall("1000", "2000");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> states(sippEvents, placed).contains(CallState.CONNECTED));
      String sipCallId = sipp.getStatus(placed).serverIds().get("sip.callId");
      await().atMost(Duration.ofSeconds(60)).until(() -> incoming(kamEvents, sipCallId) != null);
      String seen = incoming(kamEvents, sipCallId).callId();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> states(kamEvents, seen).contains(CallState.CONNECTED));

      kam.hangup(seen);

      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> states(sippEvents, placed).contains(CallState.DISCONNECTED));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> states(kamEvents, seen).contains(CallState.DISCONNECTED));
      assertThat(incoming(kamEvents, sipCallId).to()).isEqualTo(kamailio.sipUri("2000"));
    }
  }

  private static List<AdapterEvent> record(SipAdapter adapter) {
    List<AdapterEvent> events = new CopyOnWriteArrayList<>();
    adapter.addListener(
        new SipAdapterListener() {
          @Override
          public void onEvent(AdapterEvent e) {
            events.add(e);
          }
        });
    return events;
  }

  private static IncomingCall incoming(List<AdapterEvent> events, String sipCallId) {
    return events.stream()
        .filter(e -> e instanceof IncomingCall)
        .map(e -> (IncomingCall) e)
        .filter(
            ic ->
                sipCallId != null && sipCallId.equals(ic.serverIds().get(KamailioAdapter.CALL_ID)))
        .findFirst()
        .orElse(null);
  }

  private static List<CallState> states(List<AdapterEvent> events, String callId) {
    return events.stream()
        .filter(e -> e instanceof CallStateChanged c && c.callId().equals(callId))
        .map(e -> ((CallStateChanged) e).state())
        .toList();
  }
}
