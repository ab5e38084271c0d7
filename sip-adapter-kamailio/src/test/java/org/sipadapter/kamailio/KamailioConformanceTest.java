package org.sipadapter.kamailio;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.sipadapter.CallStatus;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.kamailio.dialog.DialogKey;
import org.sipadapter.testkit.kamailio.KamailioServer;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;
import org.sipadapter.testkit.tck.Destination;
import org.sipadapter.testkit.tck.SipAdapterConformanceSuite;
import org.sipadapter.testkit.tck.TckCapability;
import org.sipadapter.testkit.tck.TckFixture;

/**
 * The conformance suite against a real Kamailio with SIPp phones. Outbound calls are click-to-dial:
 * the caller is a SIPp first party that follows Kamailio's REFER; destinations are SIPp UASs behind
 * Kamailio. The fault proxy sits in front of JSON-RPC; evapi stays direct.
 */
class KamailioConformanceTest extends SipAdapterConformanceSuite {

  @Override
  protected TckFixture createFixture() {
    assumeTrue(KamailioServer.isInstalled(), "Kamailio is not installed");
    return new RealKamailioFixture();
  }

  @Override
  protected Duration eventTimeout() {
    return Duration.ofSeconds(60);
  }

  /** Kamailio plus four SIPp phones on loopback. */
  static final class RealKamailioFixture implements TckFixture {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "tck-rpc-token-7f3a";
    private final List<SippProcess> phones = new ArrayList<>();
    private final SippProcess firstParty;
    private final KamailioServer kamailio;

    RealKamailioFixture() {
      SippProcess answer = start(SippProcess.uas(UasScenario.ANSWER));
      SippProcess busy = start(SippProcess.uas(UasScenario.BUSY));
      SippProcess noAnswer = start(SippProcess.uas(UasScenario.NO_ANSWER));
      firstParty = start(SippProcess.uas(UasScenario.REFER_FOLLOWER));
      kamailio =
          KamailioServer.builder()
              .rpcToken(TOKEN)
              .route("2000", answer.port())
              .route("4001", answer.port())
              .route("busy", busy.port())
              .route("noanswer", noAnswer.port())
              .build()
              .start();
    }

    private SippProcess start(SippProcess.Builder b) {
      SippProcess p = b.traceMessages(false).start();
      phones.add(p);
      return p;
    }

    /** Builds the adapter; Kamailio is first cleared of dialogs earlier tests left up. */
    @Override
    public SipAdapter createAdapter(AdapterConfig config) {
      clearDialogs();
      return new KamailioAdapter(config);
    }

    private void clearDialogs() {
      try {
        JsonNode list = JSON.readTree(kamailio.rpc("dlg.list")).path("result");
        for (JsonNode d : list) {
          int state = d.path("state").asInt();
          if (state == 1 || state == 2) {
            kamailio.rpc(
                "tm.cancel", d.path("call-id").asText(), d.path("caller").path("cseq").asText());
          } else if (state == 3 || state == 4) {
            kamailio.rpc("dlg.end_dlg", d.path("h_entry").asLong(), d.path("h_id").asLong());
          }
        }
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> !kamailio.rpc("dlg.list").matches("(?s).*\"state\":[1-4][,}].*"));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public AdapterConfig config() {
      return AdapterConfig.builder("kamailio")
          .name("kamailio-tck")
          .server(KamailioServer.HOST, kamailio.sipPort())
          .timeouts(
              new Timeouts(
                  Duration.ofSeconds(2),
                  Duration.ofSeconds(2),
                  Duration.ofSeconds(30),
                  Duration.ofSeconds(1)))
          .option("evapiPort", kamailio.evapiPort())
          .auth("", TOKEN)
          .build();
    }

    @Override
    public Optional<AdapterConfig> configWithWrongCredentials() {
      return Optional.of(config().toBuilder().auth("", "not-the-token").build());
    }

    @Override
    public Set<TckCapability> capabilities() {
      return Set.of(
          TckCapability.FAULT_PROXY,
          TckCapability.REMOTE_HANGUP,
          TckCapability.INBOUND_CALL,
          TckCapability.STALL,
          // SIGSTOP keeps the RPC request in the socket; after SIGCONT Kamailio runs it.
          TckCapability.LATE_ANSWER,
          // evapi_relay writes every event to every connected client.
          TckCapability.SECOND_CLIENT);
    }

    @Override
    public Optional<String> destination(Destination destination) {
      return Optional.of(
          switch (destination) {
            case ANSWERS -> kamailio.sipUri("2000");
            case BUSY -> kamailio.sipUri("busy");
            case UNKNOWN -> kamailio.sipUri("nobody");
            case NO_ANSWER -> kamailio.sipUri("noanswer");
          });
    }

    @Override
    public String caller() {
      return "sip:first@127.0.0.1:" + firstParty.port();
    }

    /**
     * Ends the call's dialog with {@code dlg.end_dlg}, once Kamailio has seen the ACK (a dialog in
     * state 3 can survive the request).
     */
    @Override
    public void hangupOnServer(CallStatus call) {
      DialogKey key =
          KamailioDriver.parseKey(call.serverIds().getOrDefault(KamailioAdapter.DIALOG, ""))
              .orElseThrow(() -> new IllegalStateException("call has no dialog id: " + call));
      String sipCallId = call.serverIds().get(KamailioAdapter.CALL_ID);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> kamailio.rpc("dlg.dlg_list", sipCallId).contains("\"state\":4"));
      kamailio.rpc("dlg.end_dlg", key.hEntry(), key.hId());
    }

    /** A SIPp caller with From user {@code from} calls {@code to} through Kamailio. */
    @Override
    public void triggerInboundCall(String from, String to) {
      start(
          SippProcess.uac(KamailioServer.HOST, kamailio.sipPort())
              .scenarioResource("/org/sipadapter/kamailio/uac-from.xml")
              .service(to)
              .extraArgs("-key", "caller", from));
    }

    /** Suspends Kamailio (SIGSTOP): connections stay open, nothing is answered. */
    @Override
    public void stallServer() {
      kamailio.freeze();
    }

    @Override
    public void resumeServer() {
      kamailio.thaw();
    }

    /**
     * Kamailio accepts {@code dlg.bridge_dlg} far faster than it frees the transactions and dialogs
     * of the calls (kept for their wait time): unpaced, the flood exhausts its shared memory within
     * about 10 s and a child dies.
     */
    @Override
    public OptionalInt floodCallsPerSecond() {
      return OptionalInt.of(Integer.getInteger("sipadapter.kamailio.flood.rate", 100));
    }

    /** The dialogs Kamailio holds up (states 1 to 4 of {@code dlg.list}). */
    @Override
    public OptionalInt serverCalls() {
      try {
        int up = 0;
        for (JsonNode d : JSON.readTree(kamailio.rpc("dlg.list")).path("result")) {
          int state = d.path("state").asInt();
          up += state >= 1 && state <= 4 ? 1 : 0;
        }
        return OptionalInt.of(up);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public boolean isSharedThread(String threadName) {
      // OkHttp's task runner and Okio's timeout watchdog are process-wide singletons;
      // "HttpClient-" threads are KamailioServer's own JDK client (the RPC checks of this
      // fixture), whose idle workers linger for a minute.
      return threadName.startsWith("OkHttp TaskRunner")
          || threadName.startsWith("Okio Watchdog")
          || threadName.startsWith("HttpClient-");
    }

    /** Stops every phone, then Kamailio; one failing to stop does not keep the others up. */
    @Override
    public void close() {
      for (SippProcess phone : phones) {
        try {
          phone.close();
        } catch (RuntimeException e) {
          // keep stopping the rest
        }
      }
      kamailio.close();
    }
  }
}
