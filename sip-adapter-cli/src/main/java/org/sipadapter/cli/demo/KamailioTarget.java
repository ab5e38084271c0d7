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
 * SIPp UAS behind Kamailio, a REFER-following SIPp phone as the first party of click-to-dial, and a
 * SIPp UAC that calls through Kamailio. The answered call is the adapter's {@code makeCall}
 * (Kamailio's {@code dlg.bridge_dlg} rings the first party and REFERs it to 2000), hung up through
 * the dialog module; the busy call comes from outside and the adapter sees it as an incoming call.
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
      SippProcess firstParty = SippProcess.uas(UasScenario.REFER_FOLLOWER).start();
      started.add(firstParty);
      KamailioServer kamailio =
          KamailioServer.builder()
              .route(ANSWER_USER, answering.port())
              .route(BUSY_USER, busy.port())
              .build()
              .start();
      started.add(0, kamailio);
      return new Running(kamailio, firstParty, started);
    } catch (RuntimeException e) {
      Sipp.closeAll(started);
      throw e;
    }
  }

  private static final class Running implements DemoServer {
    private final KamailioServer kamailio;
    private final SippProcess firstParty;
    private final List<AutoCloseable> started;

    Running(KamailioServer kamailio, SippProcess firstParty, List<AutoCloseable> started) {
      this.kamailio = kamailio;
      this.firstParty = firstParty;
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
          + "; SIPp as phones, the first party of click-to-dial on :"
          + firstParty.port();
    }

    @Override
    public List<DemoCall> calls() {
      return List.of(
          new DemoCall(
              "click-to-dial call",
              "sip:first@" + KamailioServer.HOST + ":" + firstParty.port(),
              ANSWER_USER,
              false,
              true,
              org.sipadapter.CallState.DISCONNECTED),
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
