package org.sipadapter.pjsua;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * servers on loopback as the far ends (one that answers, one busy, one that never answers, one that
 * answers 404). Runs only in the {@code pjsua2-binding} profile (see {@code docs/pjsua.md}); needs
 * {@code sipp} on the path. Inbound calls come from a SIPp UAC ({@code uac-caller.xml}). The
 * answering peer ({@link UasScenario#ANSWER_FOLLOW_HOLD}) answers hold and resume re-INVITEs and
 * the SIP INFO by which DTMF reaches a far end whose SDP has no telephone-event. No SIPp scenario
 * here hangs up, sends a chosen DTMF digit or follows a REFER on demand, so the remote-hangup,
 * received-DTMF and transfer checks skip with their reason.
 */
@EnabledIfSystemProperty(named = "pjsua2.binding", matches = "required")
class PjsuaRealBindingConformanceTest extends SipAdapterConformanceSuite {

  @Override
  protected TckFixture createFixture() {
    return new SippPeersFixture();
  }

  /** SIPp peers, started once for the class. */
  static final class SippPeersFixture implements TckFixture {
    private static final int PORT = 15070;
    private final SippProcess answers = SippProcess.uas(UasScenario.ANSWER_FOLLOW_HOLD).start();
    private final SippProcess busy = SippProcess.uas(UasScenario.BUSY).start();
    private final SippProcess noAnswer = SippProcess.uas(UasScenario.NO_ANSWER).start();
    private final SippProcess notFound = SippProcess.uas(UasScenario.NOT_FOUND).start();
    private final List<SippProcess> callers = new CopyOnWriteArrayList<>();

    @Override
    public SipAdapter createAdapter(AdapterConfig config) {
      return new PjsuaAdapter(config);
    }

    @Override
    public AdapterConfig config() {
      return AdapterConfig.builder(PjsuaAdapter.TYPE)
          .name("tck-pjsua-real")
          .server("127.0.0.1", PORT)
          .option("domain", "127.0.0.1")
          .option("recordingDirectory", System.getProperty("java.io.tmpdir"))
          // the suite holds 17 calls at once: a build with PJSUA_MAX_CALLS 32 and
          // PJ_IOQUEUE_MAX_HANDLES 256, as docs/pjsua.md builds it (the profile passes both)
          .option("maxCalls", Integer.getInteger("pjsua2.maxCalls", 32))
          .option("mediaHandles", Integer.getInteger("pjsua2.mediaHandles", 256))
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
      return Set.of(TckCapability.INBOUND_CALL);
    }

    @Override
    public void triggerInboundCall(String from, String to) {
      callers.add(
          SippProcess.uac("127.0.0.1", PORT)
              .scenarioResource("/org/sipadapter/testkit/sipp/uac-caller.xml")
              .service(to)
              .extraArgs("-key", "caller", from)
              .calls(1)
              .start());
    }

    @Override
    public Optional<String> destination(Destination destination) {
      return switch (destination) {
        case ANSWERS -> Optional.of("sip:2000@127.0.0.1:" + answers.port());
        case BUSY -> Optional.of("sip:486@127.0.0.1:" + busy.port());
        case NO_ANSWER -> Optional.of("sip:480@127.0.0.1:" + noAnswer.port());
        case UNKNOWN -> Optional.of("sip:404@127.0.0.1:" + notFound.port());
      };
    }

    @Override
    public void close() {
      callers.forEach(SippProcess::close);
      answers.close();
      busy.close();
      noAnswer.close();
      notFound.close();
    }
  }
}
