package org.sipadapter.cli.demo;

import java.util.List;
import java.util.Optional;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.testkit.yate.YateEmulator;

/**
 * Yate through the testkit's extmodule emulator, started in this process: 2000 is a SIP leg that
 * rings and answers, 3000 one that rings and refuses with 486.
 */
public final class YateTarget implements DemoTarget {

  /** Creates the target. */
  public YateTarget() {}

  @Override
  public String adapterType() {
    return "yate";
  }

  @Override
  public int order() {
    return 25;
  }

  @Override
  public Optional<String> unavailableReason() {
    return Unavailable.ifNoAdapter("yate");
  }

  @Override
  public DemoServer start() {
    YateEmulator yate =
        new YateEmulator()
            .route(DemoNumbers.ANSWER, YateEmulator.Outcome.ANSWER)
            .route(DemoNumbers.BUSY, YateEmulator.Outcome.SIP_BUSY)
            .start();
    return new DemoServer() {
      @Override
      public AdapterConfig config() {
        return AdapterConfig.builder("yate").name("yate").server(yate.host(), yate.port()).build();
      }

      @Override
      public String description() {
        return "emulated Yate";
      }

      @Override
      public String details() {
        return "extmodule on " + yate.host() + ":" + yate.port() + ", in this process";
      }

      @Override
      public List<DemoCall> calls() {
        return DemoNumbers.outboundCalls();
      }

      @Override
      public void close() {
        yate.close();
      }
    };
  }
}
