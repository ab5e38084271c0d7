package org.sipadapter.asterisk;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.testkit.asterisk.AmiProbe;
import org.sipadapter.testkit.asterisk.AsteriskInstall;
import org.sipadapter.testkit.asterisk.AsteriskServer;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;

/**
 * A real Asterisk 22 with SIPp phones behind PJSIP, for the tests that need the real server. The
 * phones are PJSIP endpoints named by what they do:
 *
 * <table>
 *   <tr><th>endpoint</th><th>SIPp phone</th></tr>
 *   <tr><td>{@code 2000}, {@code 2001}, {@code 2002}</td><td>rings 200 ms, answers, talks (RTP) until BYE</td></tr>
 *   <tr><td>{@code 486}</td><td>486 Busy Here</td></tr>
 *   <tr><td>{@code 404}</td><td>404 Not Found</td></tr>
 *   <tr><td>{@code 408}</td><td>rings and never answers</td></tr>
 *   <tr><td>{@code 2100}</td><td>answers and hangs up after 1 s</td></tr>
 *   <tr><td>{@code 2200}</td><td>answers and after 500 ms presses 1, 2, #</td></tr>
 * </table>
 *
 * <p>The conformance fixture places click-to-call style calls: the first phone answers, then {@code
 * Dial(PJSIP/2002,30,T)} bridges it to a second, so attended and blind transfers have the bridge
 * and transfer feature they need ({@link #clickToCall()}).
 *
 * <p>{@link #open} skips the calling test class, with the reason, when no provisioned Asterisk root
 * is available (see {@code scripts/test.sh}).
 */
final class RealAsterisk implements AutoCloseable {
  final AsteriskServer server;
  final AmiProbe probe;

  /** The ring-then-answer phone behind endpoints 2000, 2001 and 2002. */
  final SippProcess answeringPhone;

  private final List<SippProcess> phones = new ArrayList<>();
  private final List<SippProcess> callers = new ArrayList<>();

  private RealAsterisk(AsteriskServer.Builder builder, List<SippProcess> phones) {
    this.phones.addAll(phones);
    this.answeringPhone = phones.get(0);
    this.server = builder.build().start();
    this.probe = server.probe();
  }

  /**
   * Starts the phones and Asterisk.
   *
   * @param dialplan extra dialplan contexts (may be empty)
   * @return the running server
   */
  static RealAsterisk open(String dialplan) {
    AsteriskInstall.unavailableReason().ifPresent(reason -> assumeTrue(false, reason));
    List<SippProcess> phones = new ArrayList<>();
    AsteriskServer.Builder b = AsteriskServer.builder();
    try {
      SippProcess answer =
          start(
              phones,
              SippProcess.uas(UasScenario.RING_THEN_TALK).ringDelay(Duration.ofMillis(200)));
      b.phone("2000", answer.port()).phone("2001", answer.port()).phone("2002", answer.port());
      b.phone("486", start(phones, SippProcess.uas(UasScenario.BUSY)).port());
      b.phone("404", start(phones, SippProcess.uas(UasScenario.NOT_FOUND)).port());
      b.phone("408", start(phones, SippProcess.uas(UasScenario.NO_ANSWER)).port());
      b.phone(
          "2100",
          start(
                  phones,
                  SippProcess.uas(UasScenario.ANSWER_THEN_HANGUP)
                      .callDuration(Duration.ofSeconds(1)))
              .port());
      b.phone(
          "2200",
          start(
                  phones,
                  SippProcess.uas(UasScenario.ANSWER_THEN_DTMF)
                      .callDuration(Duration.ofMillis(500)))
              .port());
      b.managerUser("limited", "limitedpass", "call,dtmf,system,user", "call,originate,system");
      b.dialplan(dialplan);
      return new RealAsterisk(b, phones);
    } catch (RuntimeException e) {
      phones.forEach(SippProcess::close);
      throw e;
    }
  }

  private static SippProcess start(List<SippProcess> phones, SippProcess.Builder b) {
    SippProcess p = b.start();
    phones.add(p);
    return p;
  }

  /** A config for the documented {@code sdk} user, dialling {@code PJSIP/{to}}. */
  AdapterConfig.Builder config() {
    return AdapterConfig.builder("asterisk")
        .name("real-asterisk")
        .server(server.host(), server.amiPort())
        .auth(AsteriskServer.SDK, server.sdkSecret())
        .timeouts(
            new Timeouts(
                Duration.ofSeconds(3),
                Duration.ofSeconds(2),
                Duration.ofSeconds(30),
                Duration.ofSeconds(5)));
  }

  /**
   * A config whose calls ring the {@code to} phone and, once answered, bridge it to phone 2002 with
   * {@code Dial(...,T)} in context {@code sdk-click}; transfers go to {@code sdk-transfer}.
   */
  AdapterConfig.Builder clickToCall() {
    return config()
        .option("context", "sdk-click")
        .option("exten", "2002")
        .option("transferContext", "sdk-transfer");
  }

  /**
   * A SIPp phone calls {@code to} at Asterisk (context {@code from-phones}) as {@code from}.
   *
   * @param from the caller number
   * @param to the called number
   */
  void call(String from, String to) {
    callers.add(
        SippProcess.uac(server.host(), server.sipPort())
            .scenarioResource("/org/sipadapter/testkit/sipp/uac-caller.xml")
            .service(to)
            .extraArgs("-key", "caller", from)
            .calls(1)
            .start());
  }

  @Override
  public void close() {
    probe.close();
    server.close();
    callers.forEach(SippProcess::close);
    phones.forEach(SippProcess::close);
  }
}
