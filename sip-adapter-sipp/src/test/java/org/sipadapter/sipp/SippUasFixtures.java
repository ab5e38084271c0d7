package org.sipadapter.sipp;

import java.time.Duration;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;

/**
 * The far ends the adapter tests call: real SIPp user agent servers on loopback that answer, refuse
 * with 486, refuse with 404, or ring forever. Close to stop them all.
 */
final class SippUasFixtures implements AutoCloseable {
  final SippProcess answer;
  final SippProcess busy;
  final SippProcess notFound;
  final SippProcess noAnswer;

  SippUasFixtures() {
    answer = SippProcess.uas(UasScenario.ANSWER).traceMessages(false).start();
    busy = SippProcess.uas(UasScenario.BUSY).traceMessages(false).start();
    notFound =
        SippProcess.uas(UasScenario.BUSY)
            .scenarioResource("/scenarios/uas-not-found.xml")
            .traceMessages(false)
            .start();
    noAnswer = SippProcess.uas(UasScenario.NO_ANSWER).traceMessages(false).start();
  }

  static String at(String user, SippProcess uas) {
    return user + "@127.0.0.1:" + uas.port();
  }

  /** A UAS that answers and hangs up by itself after {@code after}. */
  static SippProcess hangingUp(Duration after) {
    return SippProcess.uas(UasScenario.ANSWER)
        .scenarioResource("/scenarios/uas-answer-then-bye.xml")
        .callDuration(after)
        .start();
  }

  @Override
  public void close() {
    answer.close();
    busy.close();
    notFound.close();
    noAnswer.close();
  }
}
