package org.sipadapter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command as a separate process: what a shell script sees. */
class ProcessTest {
  @TempDir Path dir;

  private static Result run(String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                java, "-cp", System.getProperty("java.class.path"), SipAdapterCli.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out, err);
  }

  private record Result(int exit, String out, String err) {}

  @Test
  void configProblemExitsThreeWithTheProblemOnStandardError() throws Exception {
    Path cfg =
        CliRun.yaml(dir, "type: fake\nport: 0x\nauth: { username: u, password: hunter22 }\n");

    Result r = run("health", "-c", cfg.toString());

    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCodes.CONFIG);
    assertThat(r.err()).contains("port: expected a whole number");
    assertThat(r.out()).isEmpty();
    assertThat(r.out() + r.err()).doesNotContain("hunter22");
  }

  @Test
  void helpGoesToStandardOutputWithExitZero() throws Exception {
    Result r = run("--help");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Usage: sipadapter", "Exit codes:");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void demoServeStopsItsServersWhenTheProcessIsTerminated() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path file = dir.resolve("demo.yaml");
    Path err = dir.resolve("stderr.txt");
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                SipAdapterCli.class.getName(),
                "demo",
                "--only",
                "fake",
                "--serve",
                file.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(err.toFile())
            .start();
    p.getOutputStream().close();
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(err).contains("wrote "));

    p.destroy(); // SIGTERM, as Ctrl-C or a service manager would stop it
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(Files.readString(err)).contains("stopped fake");
  }
}
