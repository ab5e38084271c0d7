package org.sipadapter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipadapter.CallState;
import org.sipadapter.cli.demo.DemoCall;
import org.sipadapter.cli.demo.DemoResult;
import org.sipadapter.cli.demo.DemoRunner;
import org.sipadapter.cli.demo.DemoServer;
import org.sipadapter.cli.demo.DemoTarget;
import org.sipadapter.cli.fake.FakeDemoTarget;
import org.sipadapter.cli.fake.MissingServerDemoTarget;

class DemoCommandTest {

  @Test
  void demoRunsTheScriptedCallsPrintsTheTimelineAndTheSummary() {
    CliRun r = CliRun.of("demo", "--only", "fake");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("using fake: emulated fake server")
        // The link's CONNECTED event may be delivered after the first call events.
        .contains("fake       link      CONNECTED")
        .containsSubsequence(
            "call #1   DIALING",
            "call #1   RINGING",
            "call #1   CONNECTED",
            "call #1   ON_HOLD",
            "call #1   CONNECTED",
            "call #1   DISCONNECTED",
            "call #2   FAILED       USER_BUSY (Q.850 17, SIP 486)")
        .contains("ADAPTER", "SERVER", "STATES SEEN", "SETUP", "HANGUP CAUSE", "FEATURES")
        .contains("DIALING>RINGING>CONNECTED>ON_HOLD>CONNECTED>DISCONNECTED")
        .contains("NORMAL_CLEARING (16)", "USER_BUSY (17)")
        .contains("call #1 steps: hold ok, dtmf 1234# ok, hangup sent")
        .contains("2 of 2 calls ended as expected");
  }

  @Test
  void summaryCountsTheFeaturesAndATableBelowListsThemOnePerLine() {
    CliRun r = CliRun.of("demo", "--only", "fake");

    assertThat(r.out())
        .containsPattern("fake +emulated fake server .* 4 of 12 +ok")
        .containsPattern("(?m)^FEATURE +fake$")
        .containsPattern("(?m)^hold +yes$")
        .containsPattern("(?m)^sendDtmf +yes$")
        .containsPattern("(?m)^makeCall +yes$")
        .containsPattern("(?m)^incomingCalls +yes$")
        .containsPattern("(?m)^transfer +-$");
  }

  @Test
  void demoSaysWhichTargetsItSkippedAndWhy() {
    CliRun r = CliRun.of("demo", "--only", "fake,missing");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("skipped missing: " + MissingServerDemoTarget.REASON);
  }

  @Test
  void serveLeavesOutTheInMemoryPjsuaAgentThatOtherCommandsCannotReach(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("demo.yaml");

    CliRun r =
        CliRun.of("demo", "--only", "fake,pjsua", "--serve", file.toString(), "--duration", "1s");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.err())
        .contains("serving fake: ")
        .contains("skipped pjsua: emulated pjsua2 exists only inside");
    assertThat(Files.readString(file)).contains("type: fake").doesNotContain("pjsua");
  }

  @Test
  void serveWritesAConfigThatTheOtherCommandsUseWhileTheServersRun(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("demo.yaml");
    CliRun serving =
        CliRun.inBackground(
            "demo", "--only", "fake", "--serve", file.toString(), "--duration", "20s");
    await().atMost(Duration.ofSeconds(60)).until(() -> serving.err().contains("wrote "));

    CliRun health = CliRun.of("health", "-c", file.toString());

    assertThat(health.exitCode()).as(health.toString()).isZero();
    assertThat(health.out()).contains("\"status\" : \"HEALTHY\"", "\"type\" : \"fake\"");
    assertThat(Files.readString(file)).contains("adapters:", "type: fake");
    assertThat(serving.err())
        .contains("serving fake: emulated fake server")
        .doesNotContain("demo-secret");
  }

  @Test
  void unknownDemoTypeListsTheKnownOnes() {
    CliRun r = CliRun.of("demo", "--only", "nosuch");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("no demo for nosuch", "fake", "kamailio");
  }

  @Test
  void aCallCoreEndedBecauseTheServerNeverReportedItsEndFailsTheRun() {
    List<String> lines = new ArrayList<>();

    List<DemoResult> results =
        new DemoRunner(lines::add, lines::add).run(List.of(FakeDemoTarget.withUnreportedHangups()));

    DemoResult answered = results.get(0);
    assertThat(answered.call().expected()).isEqualTo(CallState.DISCONNECTED);
    assertThat(answered.states()).endsWith(CallState.DISCONNECTED);
    assertThat(answered.ok()).isFalse();
    assertThat(answered.problem())
        .isEqualTo(
            "ended DISCONNECTED only locally: the server never reported the end (no hangup event)");
    assertThat(results.get(1).ok()).as("the busy call is ended by the server").isTrue();
  }

  @Test
  void aCallThatEndsOtherwiseThanExpectedFailsTheRun() {
    DemoTarget wrongExpectation =
        new DemoTarget() {
          final DemoTarget fake = new FakeDemoTarget();

          @Override
          public String adapterType() {
            return "fake";
          }

          @Override
          public Optional<String> unavailableReason() {
            return Optional.empty();
          }

          @Override
          public DemoServer start() throws Exception {
            DemoServer s = fake.start();
            return new DemoServer() {
              @Override
              public org.sipadapter.config.AdapterConfig config() {
                return s.config();
              }

              @Override
              public String description() {
                return s.description();
              }

              @Override
              public List<DemoCall> calls() {
                return List.of(
                    new DemoCall(
                        "expects answer", "1", "busy", false, true, CallState.DISCONNECTED));
              }

              @Override
              public void close() {
                s.close();
              }
            };
          }
        };
    List<String> lines = new ArrayList<>();

    List<DemoResult> results =
        new DemoRunner(lines::add, lines::add).run(List.of(wrongExpectation));

    assertThat(results).hasSize(1);
    assertThat(results.get(0).ok()).isFalse();
    assertThat(results.get(0).problem()).isEqualTo("ended FAILED, expected DISCONNECTED");
  }
}
