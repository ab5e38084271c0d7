package org.sipadapter.kamailio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallState;
import org.sipadapter.HangupCause;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.testkit.kamailio.KamailioServer;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;
import org.sipadapter.testkit.tck.EventRecorder;

/**
 * Busy click-to-dial calls placed the moment the adapter has connected, many times: the 486 must
 * reach the adapter every time (the call ends FAILED with USER_BUSY, never NO_ANSWER at the ring
 * timeout). Kamailio's evapi dispatcher takes a new client into its list only when it gets to
 * {@code accept()}; an event relayed before that is not sent to it.
 */
@Tag("stress")
class KamailioBusyCallStressTest {

  /**
   * Busy calls placed, one per connect; {@code -Dsipadapter.stress.busyCalls=200} for more, and
   * {@code -Dsipadapter.stress.evapiReady=false} to place them without waiting for {@code
   * evapi:ready}.
   */
  private static final int ROUNDS = Integer.getInteger("sipadapter.stress.busyCalls", 40);

  private static SippProcess busy;
  private static SippProcess firstParty;
  private static KamailioServer kamailio;

  @BeforeAll
  static void startServers() {
    assumeTrue(KamailioServer.isInstalled(), "Kamailio is not installed");
    busy = SippProcess.uas(UasScenario.BUSY).traceMessages(false).start();
    firstParty = SippProcess.uas(UasScenario.REFER_FOLLOWER).traceMessages(false).start();
    kamailio = KamailioServer.builder().route("busy", busy.port()).build().start();
  }

  @AfterAll
  static void stopServers() {
    for (AutoCloseable c : new AutoCloseable[] {firstParty, busy, kamailio}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  @Test
  void aBusyCallPlacedRightAfterConnectEndsWithUserBusyEveryTime() {
    AdapterConfig.Builder builder =
        KamailioAdapterTest.config(kamailio)
            .timeouts(
                new Timeouts(
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(8),
                    Duration.ofSeconds(30)));
    // Unset: the adapter's default (wait for evapi:ready). false: no wait, so an event relayed
    // before Kamailio accepted the link can be lost (the call then ends NO_ANSWER at the ring
    // timeout).
    String evapiReady = System.getProperty("sipadapter.stress.evapiReady");
    if (evapiReady != null) {
      builder.option("evapiReady", evapiReady);
    }
    AdapterConfig config = builder.build();
    List<String> causes = new ArrayList<>();
    String version = "";
    for (int i = 0; i < ROUNDS; i++) {
      EventRecorder events = new EventRecorder();
      try (KamailioAdapter adapter = new KamailioAdapter(config)) {
        adapter.addListener(events);
        adapter.connect();
        version = adapter.serverVersion().orElse("");
        String callId =
            adapter.makeCall("sip:first@127.0.0.1:" + firstParty.port(), kamailio.sipUri("busy"));
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> !events.terminalEvents(callId).isEmpty());
        CallStateChanged end = events.terminalEvents(callId).get(0);
        causes.add(end.state() + " " + end.cause().q850() + " " + end.cause().text());
      }
    }
    Map<String, Long> tally =
        causes.stream().collect(Collectors.groupingBy(c -> c, TreeMap::new, Collectors.counting()));
    System.out.println(ROUNDS + " busy calls through " + version + ": " + tally);
    assertThat(causes)
        .as("one terminal event per round")
        .hasSize(ROUNDS)
        .allMatch(
            c -> c.startsWith(CallState.FAILED + " " + HangupCause.USER_BUSY.q850()),
            "FAILED USER_BUSY");
  }
}
