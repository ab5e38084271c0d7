package org.sipadapter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;

/** {@code load} against real SIPp: the embedded agent's UAC toward a SIPp UAS. */
class LoadCommandTest {
  @TempDir Path dir;

  @Test
  void loadRunPlacesTheCallsShowsProgressAndExitsZeroWhenAllSucceed() {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/sipp")), "SIPp is not installed");
    try (SippProcess uas = SippProcess.uas(UasScenario.ANSWER).start()) {
      Path cfg =
          CliRun.yaml(
              dir,
              "type: sipp\nname: load-1\noptions: { mode: embedded, target: \"127.0.0.1:"
                  + uas.port()
                  + "\" }\n");

      CliRun r = CliRun.of("load", "-c", cfg.toString(), "--rate", "20", "--calls", "20");

      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.err()).contains("load run ", "calls/s", "active", "succeeded", "failed");
      assertThat(r.out()).contains("ENDED: verdict PASSED", "created 20, succeeded 20, failed 0");
    }
  }

  @Test
  void loadNeedsASippAdapter(@TempDir Path other) {
    Path cfg = CliRun.yaml(other, "type: fake\nauth: { username: u, password: p }\n");

    CliRun r = CliRun.of("load", "-c", cfg.toString());

    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("'load' needs an adapter of type sipp; 'fake' is fake");
  }
}
