package org.sipadapter.cli.demo;

import java.util.List;
import java.util.Optional;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.testkit.esl.EslEmulator;

/**
 * FreeSWITCH through the testkit's event socket emulator, started in this process: 2000 answers,
 * 3000 is busy.
 */
public final class FreeSwitchTarget implements DemoTarget {

  /** Creates the target. */
  public FreeSwitchTarget() {}

  @Override
  public String adapterType() {
    return "freeswitch";
  }

  @Override
  public int order() {
    return 20;
  }

  @Override
  public Optional<String> unavailableReason() {
    return Unavailable.ifNoAdapter("freeswitch");
  }

  @Override
  public DemoServer start() {
    EslEmulator esl =
        new EslEmulator()
            .route(DemoNumbers.ANSWER, EslEmulator.Behavior.ANSWER)
            .route(DemoNumbers.BUSY, EslEmulator.Behavior.BUSY)
            // registered SIP phones (user/<n>): they ring and can be held, unlike loopback calls
            .registerUser(DemoNumbers.ANSWER)
            .registerUser(DemoNumbers.BUSY)
            .start();
    return new DemoServer() {
      @Override
      public AdapterConfig config() {
        return AdapterConfig.builder("freeswitch")
            .name("freeswitch")
            .server(esl.host(), esl.port())
            .auth("", EslEmulator.DEFAULT_PASSWORD)
            .option("endpoint", "user/{to}")
            .build();
      }

      @Override
      public String description() {
        return "emulated FreeSWITCH";
      }

      @Override
      public String details() {
        return "event socket on " + esl.host() + ":" + esl.port() + ", in this process";
      }

      @Override
      public List<DemoCall> calls() {
        return DemoNumbers.outboundCalls();
      }

      @Override
      public void close() {
        esl.close();
      }
    };
  }
}
