package org.sipadapter.cli.demo;

import java.util.List;
import java.util.Optional;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.testkit.ami.AmiEmulator;

/**
 * Asterisk through the testkit's AMI emulator, started in this process: extension 2000 answers,
 * 3000 is busy.
 */
public final class AsteriskTarget implements DemoTarget {
  private static final String USER = "admin";
  private static final String SECRET = "amipass";

  /** Creates the target. */
  public AsteriskTarget() {}

  @Override
  public String adapterType() {
    return "asterisk";
  }

  @Override
  public int order() {
    return 10;
  }

  @Override
  public Optional<String> unavailableReason() {
    return Unavailable.ifNoAdapter("asterisk");
  }

  @Override
  public DemoServer start() {
    AmiEmulator ami =
        AmiEmulator.create()
            .credentials(USER, SECRET)
            .outcome(DemoNumbers.ANSWER, AmiEmulator.Outcome.ANSWER)
            .outcome(DemoNumbers.BUSY, AmiEmulator.Outcome.BUSY)
            .start();
    return new DemoServer() {
      @Override
      public AdapterConfig config() {
        return AdapterConfig.builder("asterisk")
            .name("asterisk")
            .server(ami.host(), ami.port())
            .auth(USER, SECRET)
            .build();
      }

      @Override
      public String description() {
        return "emulated (AMI)";
      }

      @Override
      public String details() {
        return "on " + ami.host() + ":" + ami.port() + ", in this process";
      }

      @Override
      public List<DemoCall> calls() {
        return DemoNumbers.outboundCalls();
      }

      @Override
      public void close() {
        ami.close();
      }
    };
  }
}
