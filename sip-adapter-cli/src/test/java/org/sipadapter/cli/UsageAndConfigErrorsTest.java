package org.sipadapter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageAndConfigErrorsTest {
  @TempDir Path dir;

  @Test
  void helpListsEveryCommandAndTheExitCodes() {
    CliRun r = CliRun.of("--help");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("demo", "call", "hangup", "calls", "watch", "health", "cdr", "load")
        .contains("Exit codes:")
        .containsPattern("3 +configuration problem")
        .containsPattern("5 +credentials refused");
  }

  @Test
  void eachCommandsHelpAlsoListsTheExitCodes() {
    CliRun r = CliRun.of("call", "--help");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out())
        .contains("--hangup-after", "--wait", "Exit codes:")
        .containsPattern("4 +server unreachable");
  }

  @Test
  void noCommandIsAUsageErrorThatPointsToTheDemo() {
    CliRun r = CliRun.of();

    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("sipadapter demo");
  }

  @Test
  void missingConfigOptionIsAUsageError() {
    CliRun r = CliRun.of("calls");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--config=FILE", "sipadapter calls --help");
  }

  @Test
  void malformedDurationIsAUsageErrorWithExamples() {
    Path cfg = CliRun.yaml(dir, "type: fake\n");

    CliRun r = CliRun.of("call", "-c", cfg.toString(), "1", "2", "--hangup-after", "soon");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("'soon' is not a duration", "10s");
  }

  @Test
  void missingFileIsAConfigError() {
    CliRun r = CliRun.of("calls", "-c", dir.resolve("nope.yaml").toString());

    assertThat(r.exitCode()).isEqualTo(ExitCodes.CONFIG);
    assertThat(r.err()).contains("nope.yaml: no such file");
  }

  @Test
  void everyConfigProblemIsListedAtOnceWithItsYamlPath() {
    Path cfg =
        CliRun.yaml(
            dir,
            """
            adapters:
              - type: fake
                port: 70000
                auth: { username: u, password: "" }
              - type: fake
                timeouts: { request: fast }
                colour: blue
            """);

    CliRun r = CliRun.of("health", "-c", cfg.toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.CONFIG);
    assertThat(r.err())
        .contains("adapters[0].port", "adapters[0].auth.password")
        .contains("adapters[1].timeouts.request", "adapters[1].colour");
  }

  @Test
  void unknownTypeListsTheKnownTypes() {
    Path cfg = CliRun.yaml(dir, "type: asterix\n");

    CliRun r = CliRun.of("health", "-c", cfg.toString());

    assertThat(r.exitCode()).isEqualTo(ExitCodes.CONFIG);
    assertThat(r.err()).contains("unknown adapter type 'asterix'", "fake", "kamailio");
  }

  @Test
  void unknownAdapterNameListsTheNamesInTheFile() {
    Path cfg =
        CliRun.yaml(
            dir,
            """
            adapters:
              - { type: fake, name: east, auth: { username: u, password: p } }
              - { type: fake, name: west, auth: { username: u, password: p } }
            """);

    CliRun r = CliRun.of("calls", "-c", cfg.toString(), "--adapter", "north");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.CONFIG);
    assertThat(r.err()).contains("no adapter named north", "east, west");
  }

  @Test
  void versionNamesTheProduct() {
    CliRun r = CliRun.of("--version");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("sipadapter ");
  }
}
