package org.sipadapter.cli.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.testkit.kamailio.KamailioServer;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;

/**
 * The real Kamailio installed on this machine, with SIPp as the phones: an answering and a busy
 * SIPp UAS behind Kamailio, and a SIPp UAC that calls through it. Kamailio is a proxy and places no
 * calls, so its demo calls come from outside: the adapter sees them as incoming calls and hangs the
 * answered one up through the dialog module.
 */
public final class KamailioTarget implements DemoTarget {
  private static final String ANSWER_USER = "2000";
  private static final String BUSY_USER = "busy";

  /** Creates the target. */
  public KamailioTarget() {}

  @Override
  public String adapterType() {
    return "kamailio";
  }

  @Override
  public int order() {
    return 30;
  }

  @Override
  public Optional<String> unavailableReason() {
    Optional<String> noAdapter = Unavailable.ifNoAdapter("kamailio");
    if (noAdapter.isPresent()) {
      return noAdapter;
    }
    if (!KamailioServer.isInstalled()) {
      return Optional.of(
          "Kamailio is not installed (Debian: apt-get install kamailio kamailio-extra-modules)");
    }
    if (!Sipp.installed()) {
      return Optional.of(
          "SIPp, the demo's phones, is not installed (Debian: apt-get install sip-tester)");
    }
    return Optional.empty();
  }

  @Override
  public DemoServer start() {
    List<AutoCloseable> started = new ArrayList<>();
    try {
      SippProcess answering = SippProcess.uas(UasScenario.ANSWER).start();
      started.add(answering);
      SippProcess busy = SippProcess.uas(UasScenario.BUSY).start();
      started.add(busy);
      KamailioServer kamailio =
          KamailioServer.builder()
              .route(ANSWER_USER, answering.port())
              .route(BUSY_USER, busy.port())
              .build()
              .start();
      started.add(0, kamailio);
      return new Running(kamailio, started);
    } catch (RuntimeException e) {
      Sipp.closeAll(started);
      throw e;
    }
  }

  private static final class Running implements DemoServer {
    private final KamailioServer kamailio;
    private final List<AutoCloseable> started;

    Running(KamailioServer kamailio, List<AutoCloseable> started) {
      this.kamailio = kamailio;
      this.started = started;
    }

    @Override
    public AdapterConfig config() {
      return AdapterConfig.builder("kamailio")
          .name("kamailio")
          .server(KamailioServer.HOST, kamailio.sipPort())
          .option("evapiPort", kamailio.evapiPort())
          .build();
    }

    @Override
    public String description() {
      return "real Kamailio";
    }

    @Override
    public String details() {
      return "pid "
          + kamailio.pid().orElse(0)
          + ", SIP/RPC "
          + KamailioServer.HOST
          + ":"
          + kamailio.sipPort()
          + ", evapi :"
          + kamailio.evapiPort()
          + "; SIPp as phones";
    }

    @Override
    public List<DemoCall> calls() {
      return List.of(
          DemoCall.inboundAnswered("sipp", ANSWER_USER),
          new DemoCall(
              "busy destination", "sipp", BUSY_USER, true, false, org.sipadapter.CallState.FAILED));
    }

    @Override
    public void startInboundCall(DemoCall call) {
      // The caller would hang up after a minute; the demo hangs up first, through the adapter.
      SippProcess caller =
          SippProcess.uac(KamailioServer.HOST, kamailio.sipPort())
              .service(call.to())
              .callDuration(Duration.ofSeconds(60))
              .start();
      started.add(caller);
    }

    @Override
    public void close() {
      Sipp.closeAll(started);
    }
  }
}
