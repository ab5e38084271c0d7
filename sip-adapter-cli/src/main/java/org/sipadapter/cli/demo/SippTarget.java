package org.sipadapter.cli.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;

/**
 * Real SIPp: the SIPp adapter in embedded mode (its agent runs in this process and starts real
 * {@code sipp} processes) calls an answering and a busy SIPp UAS.
 */
public final class SippTarget implements DemoTarget {

  /** Creates the target. */
  public SippTarget() {}

  @Override
  public String adapterType() {
    return "sipp";
  }

  @Override
  public int order() {
    return 40;
  }

  @Override
  public Optional<String> unavailableReason() {
    Optional<String> noAdapter = Unavailable.ifNoAdapter("sipp");
    if (noAdapter.isPresent()) {
      return noAdapter;
    }
    if (!Sipp.installed()) {
      return Optional.of("SIPp is not installed (Debian: apt-get install sip-tester)");
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
      return new DemoServer() {
        @Override
        public AdapterConfig config() {
          return AdapterConfig.builder("sipp")
              .name("sipp")
              .option("mode", "embedded")
              .option("target", "127.0.0.1:" + answering.port())
              .build();
        }

        @Override
        public String description() {
          return "real (embedded agent)";
        }

        @Override
        public String details() {
          return "UAS answering on 127.0.0.1:"
              + answering.port()
              + ", busy on 127.0.0.1:"
              + busy.port();
        }

        @Override
        public List<DemoCall> calls() {
          return List.of(
              DemoCall.answered(DemoNumbers.CALLER, DemoNumbers.ANSWER),
              DemoCall.busy(DemoNumbers.CALLER, DemoNumbers.BUSY + "@127.0.0.1:" + busy.port()));
        }

        @Override
        public void close() {
          Sipp.closeAll(started);
        }
      };
    } catch (RuntimeException e) {
      Sipp.closeAll(started);
      throw e;
    }
  }
}
