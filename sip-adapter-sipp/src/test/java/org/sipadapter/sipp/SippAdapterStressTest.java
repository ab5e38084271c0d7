package org.sipadapter.sipp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallOptions;
import org.sipadapter.CallState;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;

/**
 * 100, then 200 simultaneous calls through the adapter on an agent process with its default
 * settings (the adapter waits up to 120 s for each start), against one real SIPp UAS; prints what
 * the agent and its sipp processes cost at each step (CPU from {@code /proc/PID/stat}, memory from
 * {@code /proc/PID/status} and {@code smaps_rollup}; a sipp process's RSS counts the shared
 * libraries again, PSS shares them out). Run with {@code -Pstress}.
 */
@Tag("stress")
class SippAdapterStressTest {

  private static final String TOKEN = "stress-agent-token-0123456789";
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final long TICKS_PER_SECOND = 100; // Linux USER_HZ

  private final Map<String, CallState> last = new ConcurrentHashMap<>();

  @Test
  void twoHundredSimultaneousCallsThroughTheAdapterOnAnAgentWithDefaultSettings() throws Exception {
    // One far end takes 200 INVITEs and 200 BYEs at once: SIPp's default 64 KiB socket buffer can
    // overflow on a loaded machine (the kernel counts UDP RcvbufErrors); a run once ended FAILED
    // with its BYE unanswered.
    try (SippProcess uas =
            SippProcess.uas(UasScenario.ANSWER)
                .traceMessages(false)
                .keepFiles(true)
                .extraArgs("-buff_size", "4194304")
                .start();
        // the run files stay under target/ for reading after a failure
        AgentProcess agent =
            AgentProcess.start(
                TOKEN,
                Path.of("target", "sipp-agent-stress.log"),
                List.of("--work-dir", workDir().toString()));
        SipAdapter adapter =
            SipAdapters.create(
                AdapterConfig.builder("sipp")
                    .name("sipp-stress")
                    .server("127.0.0.1", agent.port())
                    .auth("", TOKEN)
                    // a burst of 100 starts queues at the agent (32 at once), each a sipp process
                    // that must open its control socket: seconds each on a loaded machine
                    .timeouts(new Timeouts(WAIT, WAIT, WAIT, Duration.ofSeconds(30)))
                    .option("target", "127.0.0.1:" + uas.port())
                    .build())) {
      System.out.println("far end files: " + uas.workDir());
      adapter.on(CallStateChanged.class, e -> last.put(e.callId(), e.state()));
      adapter.connect();

      List<String> ids = new ArrayList<>();
      for (int step : new int[] {100, 200}) {
        ids.addAll(place(adapter, step - ids.size()));
        await()
            .atMost(WAIT)
            .until(() -> ids.stream().allMatch(id -> last.get(id) == CallState.CONNECTED));
        assertThat(adapter.activeCalls()).hasSize(step);
        System.out.println(step + " calls up: " + cost(agent));
      }

      List<CompletableFuture<Void>> hangups = new ArrayList<>();
      for (String id : ids) {
        hangups.add(adapter.hangupAsync(id));
      }
      CompletableFuture.allOf(hangups.toArray(CompletableFuture[]::new))
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      await()
          .atMost(WAIT)
          .until(() -> ids.stream().allMatch(id -> last.get(id) == CallState.DISCONNECTED));
      assertThat(adapter.activeCalls()).isEmpty();
      assertThat(adapter.metrics().callsFailed()).isZero();
      // every far-end call got its BYE
      await().atMost(WAIT).until(() -> uas.stats().successfulCalls() == 200);
      assertThat(uas.stats().failedCalls()).isZero();
    }
  }

  private static Path workDir() throws IOException {
    Path dir = Path.of("target", "sipp-agent-stress-work");
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return Files.createDirectories(dir).toAbsolutePath();
  }

  private static List<String> place(SipAdapter adapter, int n) {
    List<CompletableFuture<String>> placed = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      placed.add(adapter.makeCallAsync("1000", "2000", CallOptions.DEFAULTS));
    }
    List<String> ids = new ArrayList<>();
    for (CompletableFuture<String> f : placed) {
      ids.add(f.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join());
    }
    return ids;
  }

  /** CPU share over five seconds and memory of the agent JVM and of its sipp processes. */
  private static String cost(AgentProcess agent) throws Exception {
    List<Long> sipp = new ArrayList<>();
    for (JsonNode run : agentGet(agent, "/calls")) {
      if (!"ENDED".equals(run.path("state").asText())) {
        sipp.add(run.path("pid").asLong());
      }
    }
    // Each read of 200 stat files takes a while on a loaded machine: the window runs from the
    // middle of the first pass to the middle of the second, and memory is read after both.
    long t0 = System.nanoTime();
    long agentTicks = ticks(agent.pid());
    long sippTicks = 0;
    for (long pid : sipp) {
      sippTicks += ticks(pid);
    }
    long t1 = System.nanoTime();
    // a measuring window, not a wait for an event: steady-state CPU of calls that are up
    Thread.sleep(5000);
    long t2 = System.nanoTime();
    long agentAfter = ticks(agent.pid());
    long after = 0;
    for (long pid : sipp) {
      after += ticks(pid);
    }
    long t3 = System.nanoTime();
    double seconds = ((t2 + t3) / 2.0 - (t0 + t1) / 2.0) / 1e9;
    double agentCpu = (agentAfter - agentTicks) / (TICKS_PER_SECOND * seconds);
    long pssKb = 0;
    long rssKb = 0;
    for (long pid : sipp) {
      pssKb += kb(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss:");
      rssKb += kb(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
    }
    double sippCpu = (after - sippTicks) / (TICKS_PER_SECOND * seconds);
    return String.format(
        "agent JVM RSS %d MiB, CPU %.1f %% of a core; %d sipp processes: PSS %d MiB in all (%.1f"
            + " MiB each, RSS %.1f MiB each), CPU %.1f %% of a core in all (%.2f %% each)",
        kb(Path.of("/proc", Long.toString(agent.pid()), "status"), "VmRSS:") / 1024,
        agentCpu * 100,
        sipp.size(),
        pssKb / 1024,
        pssKb / 1024.0 / Math.max(1, sipp.size()),
        rssKb / 1024.0 / Math.max(1, sipp.size()),
        sippCpu * 100,
        sippCpu * 100 / Math.max(1, sipp.size()));
  }

  private static long ticks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
  }

  private static long kb(Path file, String key) throws IOException {
    for (String line : Files.readAllLines(file)) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
      }
    }
    return 0;
  }

  private static JsonNode agentGet(AgentProcess agent, String path)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(agent.baseUri() + path))
                    .header("Authorization", "Bearer " + TOKEN)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return new ObjectMapper().readTree(r.body());
  }
}
