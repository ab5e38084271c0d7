package org.sipadapter.sipp.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIPp agent: an HTTP/JSON server that runs and supervises real {@code sipp} processes on its
 * host, since SIPp itself has no network API.
 *
 * <p>Endpoints: {@code GET /health}, {@code GET /stats}, {@code GET|POST /scenarios}, {@code
 * GET|DELETE /scenarios/{name}}, {@code GET|POST /calls}, {@code GET|PATCH|DELETE /calls/{id}},
 * {@code GET /logs/{id}}, {@code GET /events} (long poll). See {@code docs/sipp.md}.
 *
 * <p>Security: binds loopback unless configured otherwise, and then requires a bearer token
 * (compared in constant time; never logged). Request bodies are capped; ids and names are checked
 * against {@code [A-Za-z0-9_-]{1,64}} so they cannot reach outside the agent's directory; SIPp is
 * started from an argument vector, never a shell. {@link #close()} (also run by the JVM shutdown
 * hook of {@link SippAgentMain}) kills every child process.
 *
 * <p>Thread-safety: all methods are thread-safe; requests are served by a bounded pool.
 */
public final class SippAgent implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SippAgent.class);
  private static final int MAX_JSON_BODY = 64 * 1024;
  private static final long MAX_POLL_WAIT_MS = 30_000;

  private final AgentConfig config;
  private final ObjectMapper json =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private final Path workDir;
  private final boolean ownWorkDir;
  private final ScenarioStore scenarios;
  private final EventLog events = new EventLog(20_000);
  private final RunSupervisor supervisor;
  private final HttpServer server;
  private final ExecutorService pool;
  private final String sippVersion;
  private volatile boolean closed;

  private SippAgent(AgentConfig config) throws IOException {
    this.config = config;
    this.ownWorkDir = config.workDir() == null;
    this.workDir =
        ownWorkDir
            ? Files.createTempDirectory("sipp-agent-")
            : Files.createDirectories(config.workDir());
    this.scenarios = new ScenarioStore(workDir.resolve("scenarios"), config.maxScenarios());
    this.sippVersion = readSippVersion(config.sippBinary());
    this.supervisor =
        new RunSupervisor(
            config, scenarios, events, workDir.resolve("runs"), InetAddress.getLoopbackAddress());
    AtomicInteger n = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            32,
            r -> {
              Thread t = new Thread(r, "sipp-agent-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.server = HttpServer.create(new InetSocketAddress(config.bindAddress(), config.port()), 64);
    server.createContext("/", this::handle);
    server.setExecutor(pool);
    server.start();
  }

  /**
   * Starts an agent.
   *
   * @param config the settings
   * @return the running agent; close it to stop the server and kill its sipp processes
   * @throws UncheckedIOException if the port cannot be bound
   */
  public static SippAgent start(AgentConfig config) {
    try {
      SippAgent agent = new SippAgent(config);
      LOG.info("SIPp agent listening on {} ({})", agent.baseUri(), config);
      return agent;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the SIPp agent: " + e.getMessage(), e);
    }
  }

  /** The bound HTTP port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The agent's base URI, such as {@code http://127.0.0.1:8080}. */
  public URI baseUri() {
    return URI.create("http://" + config.bindAddress().getHostAddress() + ":" + port());
  }

  /** The working directory holding scenarios and runs. */
  public Path workDir() {
    return workDir;
  }

  /** Stops the HTTP server, kills every sipp child and removes a temporary work directory. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.stop(0);
    supervisor.close();
    pool.shutdownNow();
    if (ownWorkDir) {
      RunSupervisor.deleteTree(workDir);
    }
    LOG.info("SIPp agent stopped");
  }

  private static String readSippVersion(String binary) {
    try {
      Process p = new ProcessBuilder(binary, "-v").redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readNBytes(4096);
      p.waitFor(5, TimeUnit.SECONDS);
      String text = new String(out, StandardCharsets.ISO_8859_1);
      int at = text.indexOf("SIPp v");
      if (at >= 0) {
        int end = at + 5;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
          end++;
        }
        String version = text.substring(at + 5, end);
        return version.endsWith(".") ? version.substring(0, version.length() - 1) : version;
      }
      return "unknown";
    } catch (IOException e) {
      return "not found";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  // ---- HTTP ----

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      try {
        if (!authorized(ex)) {
          ex.getResponseHeaders().add("WWW-Authenticate", "Bearer");
          throw new ApiException(401, "missing or wrong bearer token");
        }
        route(ex);
      } catch (ApiException e) {
        sendJson(ex, e.status(), error(e.status(), e.getMessage()));
      } catch (JsonProcessingException e) {
        sendJson(ex, 400, error(400, "malformed JSON: " + e.getOriginalMessage()));
      } catch (RuntimeException e) {
        LOG.warn("request {} {} failed", ex.getRequestMethod(), ex.getRequestURI().getPath(), e);
        sendJson(ex, 500, error(500, "internal error: " + e.getClass().getSimpleName()));
      }
    }
  }

  private boolean authorized(HttpExchange ex) {
    if (config.bearerToken().isEmpty()) {
      return true;
    }
    String header = ex.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    byte[] expected = config.bearerToken().get().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, expected);
  }

  private void route(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getRawPath();
    if (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String[] seg = path.substring(1).split("/", -1);
    Map<String, String> query = query(ex.getRequestURI().getRawQuery());
    String first = seg[0];
    String second = seg.length > 1 ? decode(seg[1]) : null;
    if (seg.length > 2) {
      throw new ApiException(404, "no such endpoint: " + path);
    }
    switch (first) {
      case "health" -> {
        only(method, "GET");
        sendJson(ex, 200, health());
      }
      case "stats" -> {
        only(method, "GET");
        sendJson(ex, 200, stats());
      }
      case "scenarios" -> scenariosEndpoint(ex, method, second, query);
      case "calls" -> callsEndpoint(ex, method, second, query);
      case "logs" -> {
        only(method, "GET");
        if (second == null) {
          throw new ApiException(404, "use /logs/{runId}");
        }
        sendJson(ex, 200, logs(supervisor.get(second), query));
      }
      case "events" -> {
        only(method, "GET");
        long after = longParam(query, "after", 0, 0, Long.MAX_VALUE);
        long wait = longParam(query, "waitMs", 0, 0, MAX_POLL_WAIT_MS);
        int max = (int) longParam(query, "max", 1000, 1, 10_000);
        try {
          sendJson(ex, 200, events.since(after, max, wait));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ApiException(503, "agent is stopping");
        }
      }
      default -> throw new ApiException(404, "no such endpoint: " + path);
    }
  }

  private void scenariosEndpoint(
      HttpExchange ex, String method, String name, Map<String, String> query) throws IOException {
    if (name == null) {
      switch (method) {
        case "GET" -> sendJson(ex, 200, scenarios.list());
        case "POST" -> {
          String n = query.get("name");
          byte[] body = readBody(ex, config.maxUploadBytes());
          sendJson(ex, 201, scenarios.upload(n, body));
        }
        default -> throw new ApiException(405, "use GET or POST on /scenarios");
      }
      return;
    }
    if (!ScenarioStore.NAME.matcher(name).matches()) {
      throw new ApiException(400, "scenario name must match [A-Za-z0-9_-]{1,64}");
    }
    switch (method) {
      case "GET" -> {
        Scenario s =
            scenarios
                .find(name)
                .orElseThrow(() -> new ApiException(404, "unknown scenario '" + name + "'"));
        sendJson(ex, 200, s);
      }
      case "DELETE" -> {
        if (!scenarios.delete(name)) {
          throw new ApiException(404, "unknown scenario '" + name + "'");
        }
        sendJson(ex, 200, Map.of("deleted", name));
      }
      default -> throw new ApiException(405, "use GET or DELETE on /scenarios/{name}");
    }
  }

  private void callsEndpoint(HttpExchange ex, String method, String id, Map<String, String> query)
      throws IOException {
    if (id == null) {
      switch (method) {
        case "GET" -> {
          List<RunView> views = new ArrayList<>();
          for (SippRun r : supervisor.list()) {
            views.add(r.view(false));
          }
          sendJson(ex, 200, views);
        }
        case "POST" -> {
          RunSpec spec = json.readValue(readBody(ex, MAX_JSON_BODY), RunSpec.class);
          SippRun run = supervisor.start(spec);
          ex.getResponseHeaders().add("Location", "/calls/" + run.id);
          sendJson(ex, 201, run.view(true));
        }
        case "DELETE" -> {
          // DELETE /calls?marker=M: hang up the call a client placed, whether or not its start
          // request has been read yet
          boolean force = "true".equals(query.get("force"));
          long graceMs = longParam(query, "graceMs", config.stopGrace().toMillis(), 0, 60_000);
          boolean wait = !"false".equals(query.get("wait"));
          List<SippRun> stopped =
              supervisor.stopMarked(query.get("marker"), force, Duration.ofMillis(graceMs), wait);
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("marker", query.get("marker"));
          body.put("runs", stopped.stream().map(r -> r.id).toList());
          sendJson(ex, wait ? 200 : 202, body);
        }
        default -> throw new ApiException(405, "use GET, POST or DELETE on /calls");
      }
      return;
    }
    switch (method) {
      case "GET" -> sendJson(ex, 200, supervisor.get(id).view(true));
      case "DELETE" -> {
        boolean force = "true".equals(query.get("force"));
        long graceMs = longParam(query, "graceMs", config.stopGrace().toMillis(), 0, 60_000);
        Duration grace = Duration.ofMillis(graceMs);
        if ("false".equals(query.get("wait"))) {
          sendJson(ex, 202, supervisor.stopLater(id, force, grace).view(true));
        } else {
          sendJson(ex, 200, supervisor.stop(id, force, grace).view(true));
        }
      }
      case "PATCH" -> {
        RunUpdate update = json.readValue(readBody(ex, MAX_JSON_BODY), RunUpdate.class);
        List<String> sent = supervisor.update(id, update.rate(), update.limit());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("sent", sent);
        sendJson(ex, 200, body);
      }
      default -> throw new ApiException(405, "use GET, PATCH or DELETE on /calls/{id}");
    }
  }

  /**
   * The body of {@code PATCH /calls/{id}}.
   *
   * @param rate new rate in calls per rate period, or null
   * @param limit new simultaneous-call limit, or null
   */
  public record RunUpdate(Double rate, Integer limit) {}

  private Map<String, Object> health() {
    Map<String, Object> h = new LinkedHashMap<>();
    List<SippRun> all = supervisor.list();
    long running = all.stream().filter(r -> r.state != RunState.ENDED).count();
    h.put("status", "UP");
    h.put("sippVersion", sippVersion);
    h.put("runs", all.size());
    h.put("runningRuns", running);
    h.put("maxRuns", config.maxRuns());
    h.put("lastEventSeq", events.lastSeq());
    h.put("expiredRequests", supervisor.expiredRequests());
    // lets a client state a request's deadline on this clock (RunSpec.deadlineMillis)
    h.put("timeMillis", System.currentTimeMillis());
    return h;
  }

  private Map<String, Object> stats() {
    long created = 0;
    long ok = 0;
    long failed = 0;
    long current = 0;
    long running = 0;
    List<Map<String, Object>> perRun = new ArrayList<>();
    for (SippRun r : supervisor.list()) {
      StatCsv.RunStats s = r.stats();
      created += s.totalCallCreated();
      ok += s.successfulCalls();
      failed += s.failedCalls();
      current += r.state == RunState.ENDED ? 0 : s.currentCalls();
      running += r.state == RunState.ENDED ? 0 : 1;
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("id", r.id);
      one.put("state", r.state);
      one.put("verdict", r.verdict);
      one.put("stats", s);
      perRun.add(one);
    }
    Map<String, Object> aggregate = new LinkedHashMap<>();
    aggregate.put("runs", perRun.size());
    aggregate.put("runningRuns", running);
    aggregate.put("totalCallCreated", created);
    aggregate.put("successfulCalls", ok);
    aggregate.put("failedCalls", failed);
    aggregate.put("currentCalls", current);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("aggregate", aggregate);
    body.put("runs", perRun);
    return body;
  }

  private Map<String, Object> logs(SippRun run, Map<String, String> query) {
    int cap = (int) longParam(query, "maxBytes", 64 * 1024, 1, config.logCapBytes());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", run.id);
    body.put("maxBytes", cap);
    for (String[] f :
        new String[][] {
          {"errors", "errors.log"}, {"messages", "messages.log"}, {"stderr", "stderr.log"}
        }) {
      body.put(f[0], run.tail(f[1], cap));
      body.put(f[0] + "Bytes", run.size(f[1]));
    }
    return body;
  }

  private static void only(String method, String allowed) {
    if (!allowed.equals(method)) {
      throw new ApiException(405, "use " + allowed);
    }
  }

  private static Map<String, Object> error(int status, String message) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("status", status);
    e.put("error", message);
    return e;
  }

  private static byte[] readBody(HttpExchange ex, int max) throws IOException {
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > max) {
          throw new ApiException(413, "request body larger than " + max + " bytes");
        }
      } catch (NumberFormatException e) {
        throw new ApiException(400, "bad Content-Length");
      }
    }
    try (InputStream in = ex.getRequestBody()) {
      byte[] body = in.readNBytes(max + 1);
      if (body.length > max) {
        throw new ApiException(413, "request body larger than " + max + " bytes");
      }
      return body;
    }
  }

  private void sendJson(HttpExchange ex, int status, Object body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = decode(eq < 0 ? pair : pair.substring(0, eq));
      String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
      q.put(k, v);
    }
    return q;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, "bad percent-encoding in the URL");
    }
  }

  private static long longParam(Map<String, String> q, String name, long dflt, long min, long max) {
    String v = q.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      long n = Long.parseLong(v);
      if (n < min || n > max) {
        throw new ApiException(400, name + " must be " + min + ".." + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ApiException(400, name + " must be a number");
    }
  }
}
