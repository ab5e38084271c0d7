package org.sipadapter.pjsua;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;
import org.sipadapter.testkit.tck.Destination;
import org.sipadapter.testkit.tck.SipAdapterConformanceSuite;
import org.sipadapter.testkit.tck.TckCapability;
import org.sipadapter.testkit.tck.TckFixture;

/**
 * The pjsua adapter held to the conformance suite on the real pjsua2 binding, with SIPp user agent
 * servers on loopback as the far ends (one that answers, one busy, one that never answers). Runs
 * only in the {@code pjsua2-binding} profile (see {@code docs/pjsua.md}); needs {@code sipp} on the
 * path. SIPp's scenarios take no re-INVITE, REFER or incoming DTMF, so the checks that need them
 * cannot pass against these peers.
 */
@EnabledIfSystemProperty(named = "pjsua2.binding", matches = "required")
class PjsuaRealBindingConformanceTest extends SipAdapterConformanceSuite {

  @Override
  protected TckFixture createFixture() {
    return new SippPeersFixture();
  }

  /** SIPp peers, started once for the class. */
  static final class SippPeersFixture implements TckFixture {
    private final SippProcess answers = SippProcess.uas(UasScenario.ANSWER).start();
    private final SippProcess busy = SippProcess.uas(UasScenario.BUSY).start();
    private final SippProcess noAnswer = SippProcess.uas(UasScenario.NO_ANSWER).start();

    @Override
    public SipAdapter createAdapter(AdapterConfig config) {
      return new PjsuaAdapter(config);
    }

    @Override
    public AdapterConfig config() {
      return AdapterConfig.builder(PjsuaAdapter.TYPE)
          .name("tck-pjsua-real")
          .server("127.0.0.1", 15070)
          .option("domain", "127.0.0.1")
          .option("recordingDirectory", System.getProperty("java.io.tmpdir"))
          .option("maxCalls", 16)
          .timeouts(
              new Timeouts(
                  Duration.ofSeconds(5),
                  Duration.ofSeconds(5),
                  Duration.ofSeconds(20),
                  Duration.ofSeconds(30)))
          .build();
    }

    @Override
    public Set<TckCapability> capabilities() {
      return Set.of();
    }

    @Override
    public Optional<String> destination(Destination destination) {
      return switch (destination) {
        case ANSWERS -> Optional.of("sip:2000@127.0.0.1:" + answers.port());
        case BUSY -> Optional.of("sip:486@127.0.0.1:" + busy.port());
        case NO_ANSWER -> Optional.of("sip:480@127.0.0.1:" + noAnswer.port());
        case UNKNOWN -> Optional.empty();
      };
    }

    @Override
    public void close() {
      answers.close();
      busy.close();
      noAnswer.close();
    }
  }
}
