package org.sipadapter.sipp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.SippStats;
import org.sipadapter.testkit.sipp.UasScenario;

/**
 * Load through the agent: 100 simultaneous calls, and 50 calls/s for 20 s, with the agent's totals
 * checked against SIPp's own stat file and against the far end's count. Run with {@code -Pstress}.
 */
@Tag("stress")
class SippAgentLoadStressTest {

  private static SippAgent agent;
  private static AgentHttp http;

  @BeforeAll
  static void startAgent() {
    agent = SippAgent.start(AgentConfig.builder().build());
    http = new AgentHttp(agent.baseUri(), null);
  }

  @AfterAll
  static void stopAgent() {
    agent.close();
  }

  private static JsonNode run(String id) {
    return http.get("/calls/" + id).json();
  }

  private static String start(String body) {
    var r = http.post("/calls", body);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().get("id").asText();
  }

  @Test
  void hundredSimultaneousCallsAreAllUpAtOnceAndAllSucceed() {
    try (SippProcess uas = SippProcess.uas(UasScenario.ANSWER).traceMessages(false).start()) {
      String id =
          start(
              "{\"scenario\":\"uac\",\"target\":\"127.0.0.1:"
                  + uas.port()
                  + "\",\"count\":100,\"rate\":200,\"limit\":100,\"callDurationMs\":6000}");
      AtomicLong peak = new AtomicLong();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                peak.accumulateAndGet(run(id).get("stats").get("currentCalls").asLong(), Math::max);
                return peak.get() >= 100;
              });
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> "ENDED".equals(run(id).get("state").asText()));

      JsonNode done = run(id);
      assertThat(done.get("verdict").asText()).isEqualTo("PASSED");
      assertThat(done.get("stats").get("successfulCalls").asLong()).isEqualTo(100);
      await().atMost(Duration.ofSeconds(60)).until(() -> uas.stats().successfulCalls() == 100);
    }
  }

  @Test
  void fiftyCallsPerSecondForTwentySecondsMatchSippsOwnCsv() throws IOException {
    try (SippProcess uas = SippProcess.uas(UasScenario.ANSWER).traceMessages(false).start()) {
      long t0 = System.nanoTime();
      String id =
          start(
              "{\"scenario\":\"uac\",\"target\":\"127.0.0.1:"
                  + uas.port()
                  + "\",\"count\":1000,\"rate\":50,\"callDurationMs\":1000}");
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> "ENDED".equals(run(id).get("state").asText()));
      double seconds = (System.nanoTime() - t0) / 1e9;

      JsonNode done = run(id);
      SippStats csv =
          SippStats.parse(
              Files.readAllBytes(agent.workDir().resolve("runs").resolve(id).resolve("stat.csv")));
      JsonNode stats = done.get("stats");
      assertThat(done.get("exitCode").asInt()).isZero();
      assertThat(done.get("verdict").asText()).isEqualTo("PASSED");
      assertThat(stats.get("totalCallCreated").asLong())
          .isEqualTo(csv.totalCallCreated())
          .isEqualTo(1000);
      assertThat(stats.get("successfulCalls").asLong())
          .isEqualTo(csv.successfulCalls())
          .isEqualTo(1000);
      assertThat(stats.get("failedCalls").asLong()).isEqualTo(csv.failedCalls()).isZero();
      await().atMost(Duration.ofSeconds(60)).until(() -> uas.stats().successfulCalls() == 1000);
      assertThat(seconds).isBetween(19.0, 40.0);
      System.out.printf(
          "50 cps run: %.1f s wall, %d calls, callRate(C)=%.2f, retransmissions=%d%n",
          seconds, csv.totalCallCreated(), csv.decimal("CallRate(C)"), csv.retransmissions());
    }
  }
}
