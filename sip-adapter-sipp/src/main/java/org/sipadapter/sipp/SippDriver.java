package org.sipadapter.sipp;

import static org.sipadapter.sipp.SippAdapter.MARKER;
import static org.sipadapter.sipp.SippAdapter.RUN_ID;
import static org.sipadapter.sipp.SippAdapter.SIP_CALL_ID;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.CallDirection;
import org.sipadapter.CallException;
import org.sipadapter.CallState;
import org.sipadapter.ConnectionState;
import org.sipadapter.HangupCause;
import org.sipadapter.SipAdapterException;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.http.OkHttpCalls;
import org.sipadapter.sipp.agent.AgentConfig;
import org.sipadapter.sipp.agent.RunSpec;
import org.sipadapter.sipp.agent.SippAgent;
import org.sipadapter.spi.AdapterDriver;
import org.sipadapter.spi.CallSnapshot;
import org.sipadapter.spi.ConnectTarget;
import org.sipadapter.spi.DriverContext;
import org.sipadapter.spi.InboundCalls;
import org.sipadapter.spi.OutboundCalls;
import org.sipadapter.spi.Resync;
import org.sipadapter.spi.TrackedCall;
import org.sipadapter.spi.WireField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIPp agent driver behind {@link SippAdapter}: a call is a one-call run of the agent's {@code
 * call} scenario, its states come from SIPp's message trace, and the agent's long-polled {@code GET
 * /events} is read on one background thread.
 */
final class SippDriver implements AdapterDriver, OutboundCalls, InboundCalls, Resync {

  private static final Logger LOG = LoggerFactory.getLogger(SippDriver.class);

  private static final Pattern USER = Pattern.compile("[A-Za-z0-9._~+*#!-]{1,64}");
  private static final Pattern RUN = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final AdapterConfig config;
  private final DriverContext core;
  private final SippSettings settings;
  private final OkHttpClient http;
  private final String inboundMarker;
  private final String loadMarkerPrefix;

  private volatile SippAgent embeddedAgent;
  private volatile SippAgentClient client;
  private volatile Thread poller;
  private volatile okhttp3.Call currentPoll;
  private volatile long lastSeq = -1;
  private volatile String inboundRunId;
  private volatile long agentClockOffsetMillis;

  SippDriver(AdapterConfig config, DriverContext core) {
    this.config = config;
    this.core = core;
    this.settings = SippSettings.of(config);
    this.inboundMarker = core.instanceId() + ".inbound";
    this.loadMarkerPrefix = core.instanceId() + ".load-";
    Dispatcher dispatcher = new Dispatcher();
    // one start request per makeCall: OkHttp's default of 5 per host would queue bursts of calls
    // behind each other until their request timeout
    dispatcher.setMaxRequests(128);
    dispatcher.setMaxRequestsPerHost(64);
    this.http = new OkHttpClient.Builder().dispatcher(dispatcher).build();
  }

  @Override
  public List<String> supportedVersions() {
    return List.of("3.6");
  }

  /**
   * The embedded agent's base URI, when {@code options.mode} is {@code embedded} and the adapter
   * has connected once.
   *
   * @return the URI, or empty
   */
  Optional<java.net.URI> embeddedAgentUri() {
    SippAgent a = embeddedAgent;
    return a == null ? Optional.empty() : Optional.of(a.baseUri());
  }

  private String name() {
    return config.name();
  }

  private AdapterConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- link

  @Override
  public void connect(ConnectTarget target) throws Exception {
    long generation = core.linkGeneration();
    String host = target.host();
    int port = target.port();
    if (settings.embedded()) {
      synchronized (this) {
        if (embeddedAgent == null) {
          AgentConfig.Builder b = AgentConfig.builder().maxRuns(settings.maxRuns());
          settings.sippBinary().ifPresent(b::sippBinary);
          embeddedAgent = SippAgent.start(b.build());
        }
      }
      host = "127.0.0.1";
      port = embeddedAgent.port();
    }
    String token =
        settings.embedded() || target.credentials().secret().isEmpty()
            ? null
            : target.credentials().secret().reveal();
    SippAgentClient c =
        new SippAgentClient(
            http,
            host,
            port,
            token,
            target.connectTimeout(),
            target.requestTimeout(),
            settings.eventWait());
    long sent = System.currentTimeMillis();
    JsonNode health = c.health();
    long received = System.currentTimeMillis();
    if (!"UP".equals(health.path("status").asText())) {
      throw new AdapterConnectionException("SIPp agent is not up: " + health);
    }
    if (health.hasNonNull("timeMillis")) {
      // the agent's clock against ours, within half a round trip: deadlines are stated on its clock
      agentClockOffsetMillis = health.get("timeMillis").asLong() - (sent + received) / 2;
    }
    core.reportServerVersion("SIPp " + health.path("sippVersion").asText("unknown"));
    long agentSeq = health.path("lastEventSeq").asLong(0);
    if (lastSeq < 0 || lastSeq > agentSeq) {
      lastSeq = agentSeq; // first connect, or the agent restarted: start at its present
    }
    client = c;
    startPoller(c, generation);
    if (settings.inboundPort().isPresent()) {
      startInbound(c, settings.inboundPort().get(), target.requestTimeout());
    }
  }

  private void startInbound(SippAgentClient c, int port, Duration timeout) {
    String existing = inboundRunId;
    if (existing != null) {
      try {
        JsonNode run = join(c.getRun(existing), timeout);
        if (!"ENDED".equals(run.path("state").asText())) {
          return;
        }
      } catch (SipAdapterException e) {
        LOG.debug("[{}] inbound run {} gone: {}", name(), existing, e.getMessage());
      }
    }
    RunSpec spec =
        new RunSpec(
            settings.inboundScenario(),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            settings.transport(),
            port,
            null,
            true,
            null,
            inboundMarker,
            null);
    JsonNode run = join(c.startRun(spec), timeout);
    String runId = run.path("id").asText();
    inboundRunId = runId;
    LOG.info("[{}] listening for inbound calls on SIP port {} (run {})", name(), port, runId);
  }

  @Override
  public void disconnect() {
    Thread t = poller;
    poller = null;
    okhttp3.Call poll = currentPoll;
    if (poll != null) {
      poll.cancel(); // ends the poller's blocking request at once
    }
    if (t != null) {
      t.interrupt();
    }
    SippAgentClient c = client;
    if (c == null || core.connectionState() == ConnectionState.RECONNECTING) {
      return;
    }
    String inbound = inboundRunId;
    if (inbound != null) {
      inboundRunId = null;
      c.stopRun(inbound, true, Duration.ZERO)
          .exceptionally(
              e -> {
                LOG.debug("[{}] stopping inbound run failed: {}", name(), e.getMessage());
                return null;
              });
    }
    // Calls given up while their start request was under way: once this adapter is gone nobody
    // would see their runs, so the agent is told now to refuse or hang them up.
    for (TrackedCall call : core.givenUpCalls()) {
      if (call.direction() == CallDirection.OUTBOUND && call.serverId(RUN_ID).isEmpty()) {
        c.stopMarked(core.callMarker(call), config().timeouts().request())
            .exceptionally(
                e -> {
                  LOG.debug("[{}] hanging up {} failed: {}", name(), call.callId(), e.getMessage());
                  return null;
                });
      }
    }
  }

  @Override
  public void close() {
    SippAgent agent = embeddedAgent;
    embeddedAgent = null;
    if (agent != null) {
      agent.close();
    }
    // Calls still running (such as the stop of the inbound run) finish; nothing new is sent.
    OkHttpCalls.release(http);
  }

  @Override
  public void keepalive() {
    SippAgentClient c = client;
    if (c != null) {
      c.health();
    }
  }

  @Override
  public Map<String, Object> healthDetails() {
    JsonNode h = requireClient().health();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("agentRuns", h.path("runs").asInt());
    details.put("agentRunningRuns", h.path("runningRuns").asInt());
    details.put("agentMaxRuns", h.path("maxRuns").asInt());
    details.put("mode", settings.embedded() ? "embedded" : "remote");
    return details;
  }

  @Override
  public List<CallSnapshot> resync() {
    JsonNode runs = requireClient().listRuns();
    Map<String, JsonNode> byId = new LinkedHashMap<>();
    Map<String, JsonNode> byOwnCall = new LinkedHashMap<>();
    for (JsonNode r : runs) {
      byId.put(r.path("id").asText(), r);
      core.callIdOfMarker(textOrNull(r.path("spec"), "marker"))
          .ifPresent(id -> byOwnCall.put(id, r));
    }
    List<CallSnapshot> alive = new ArrayList<>();
    for (TrackedCall call : core.trackedCalls()) {
      if (call.direction() == CallDirection.OUTBOUND) {
        JsonNode run = byOwnCall.get(call.callId());
        if (run == null && call.serverId(RUN_ID).isEmpty()) {
          alive.add(new CallSnapshot(call.callId(), call.state(), call.serverIds()));
          continue; // its run is still being started
        }
        if (run != null && running(run)) {
          Map<String, String> ids = new LinkedHashMap<>(call.serverIds());
          ids.put(RUN_ID, run.path("id").asText());
          alive.add(new CallSnapshot(call.callId(), call.state(), ids));
        }
      } else {
        JsonNode run = call.serverId(RUN_ID).map(byId::get).orElse(null);
        if (run != null && running(run)) {
          alive.add(new CallSnapshot(call.callId(), call.state(), call.serverIds()));
        }
      }
    }
    // A call given up here whose run the agent started anyway: listing it has it hung up.
    for (TrackedCall gone : core.givenUpCalls()) {
      JsonNode run = byOwnCall.get(gone.callId());
      if (run != null && running(run)) {
        alive.add(
            new CallSnapshot(
                gone.callId(), CallState.DIALING, Map.of(RUN_ID, run.path("id").asText())));
      }
    }
    return alive;
  }

  private static boolean running(JsonNode run) {
    return !"ENDED".equals(run.path("state").asText());
  }

  @Override
  public void checkWire(WireField field, String value) {
    switch (field.kind()) {
      case FROM, CALLER_ID_NUMBER -> {
        if (!USER.matcher(value).matches()) {
          throw new IllegalArgumentException(
              field + " must be a SIP user part: 1..64 of letters, digits and . _ ~ + * # ! -");
        }
      }
      case TO -> destination(value);
      default -> {
        for (char c : new char[] {'<', '>', '"'}) {
          if (value.indexOf(c) >= 0) {
            throw new IllegalArgumentException(field + " must not contain < > or \"");
          }
        }
      }
    }
  }

  /** Splits {@code to} into user and target; refuses anything else. */
  private String[] destination(String to) {
    int at = to.indexOf('@');
    String user = at < 0 ? to : to.substring(0, at);
    String target = at < 0 ? settings.target().orElse(null) : to.substring(at + 1);
    if (!USER.matcher(user).matches()) {
      throw new IllegalArgumentException(
          "to must be a SIP user part (letters, digits, . _ ~ + * # ! -), optionally @host:port");
    }
    if (target == null) {
      throw new IllegalArgumentException(
          "to has no host:port and options.target is not set; use user@host:port");
    }
    if (!SippSettings.isTarget(target)) {
      throw new IllegalArgumentException(
          "the destination must be host:port with a port 1..65535, was " + target);
    }
    return new String[] {user, target};
  }

  // ---------------------------------------------------------------- calls

  @Override
  public CompletableFuture<Void> makeCall(TrackedCall call) {
    String[] dest = destination(call.to());
    Long deadline =
        settings.requestDeadline()
            ? System.currentTimeMillis()
                + agentClockOffsetMillis
                + config().timeouts().request().toMillis()
            : null;
    RunSpec spec =
        RunSpec.oneCall(
            settings.scenario(),
            dest[1],
            call.from(),
            dest[0],
            settings.transport(),
            core.callMarker(call),
            deadline);
    // A reply that comes after the request timed out binds the run to a given-up call, which has
    // it hung up.
    return requireClient()
        .startRun(spec)
        .thenAccept(run -> core.bindServerId(call.callId(), RUN_ID, run.path("id").asText()));
  }

  @Override
  public CompletableFuture<Void> hangup(TrackedCall call, HangupCause cause) {
    if (call.direction() == CallDirection.INBOUND) {
      return CompletableFuture.failedFuture(
          new CallException(
              "SIPp ends the calls of runs this adapter did not start as their scenario says;"
                  + " stop the run instead"));
    }
    // By the call's marker: works for a call that ended here, and also when its start request
    // has not been read yet (the agent then refuses it). The agent answers at once; the BYE or
    // CANCEL and the call's end arrive as events.
    return requireClient()
        .stopMarked(core.callMarker(call), config().timeouts().request())
        .thenApply(r -> null);
  }

  // ---------------------------------------------------------------- load runs

  /**
   * Starts a load run on the agent.
   *
   * @param spec what to run
   * @return the agent's run id, for the other load methods
   * @throws IllegalArgumentException if a field holds characters SIP or SIPp would misread
   * @throws AdapterConnectionException if not connected
   * @throws CallException if the agent refused the run (unknown scenario, process cap)
   */
  String startLoad(LoadSpec spec) {
    requireConnectedNow();
    core.checkWire(WireField.FROM, spec.from());
    if (!USER.matcher(spec.to()).matches()) {
      throw new IllegalArgumentException("to must be a SIP user part");
    }
    if (!SippSettings.isTarget(spec.target())) {
      throw new IllegalArgumentException("target must be host:port with a port 1..65535");
    }
    if (!RUN.matcher(spec.scenario()).matches()) {
      throw new IllegalArgumentException("scenario must match [A-Za-z0-9_-]{1,64}");
    }
    String marker = loadMarkerPrefix + HexFormat.of().formatHex(randomBytes());
    RunSpec run =
        new RunSpec(
            spec.scenario(),
            spec.target(),
            spec.from(),
            spec.to(),
            spec.rate(),
            (int) spec.ratePeriod().toMillis(),
            spec.limit() == 0 ? null : spec.limit(),
            spec.count() == 0 ? 100_000_000 : spec.count(),
            (int) spec.callDuration().toMillis(),
            settings.transport(),
            null,
            null,
            spec.traceMessages(),
            null,
            marker,
            null);
    JsonNode started = join(requireClient().startRun(run), config().timeouts().request());
    String runId = started.path("id").asText();
    LOG.info(
        "[{}] load run {} started toward {} at {}/period",
        name(),
        runId,
        spec.target(),
        spec.rate());
    return runId;
  }

  /**
   * Changes a running load's rate through SIPp's control socket. SIPp does not confirm; {@link
   * #loadStats} shows the new target rate within about a second.
   *
   * @param runId the run
   * @param rate calls per rate period, greater than 0
   */
  void updateRate(String runId, double rate) {
    requireConnectedNow();
    checkRunId(runId);
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("rate must be greater than 0");
    }
    join(requireClient().patchRun(runId, rate, null), config().timeouts().request());
  }

  /**
   * Changes a running load's simultaneous-call limit.
   *
   * @param runId the run
   * @param limit at least 1
   */
  void updateLimit(String runId, int limit) {
    requireConnectedNow();
    checkRunId(runId);
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
    join(requireClient().patchRun(runId, null, limit), config().timeouts().request());
  }

  /**
   * Stops a load run gracefully (no new calls; running calls finish within the request timeout, at
   * most 60 s, then SIGTERM) and returns its final figures.
   *
   * @param runId the run
   * @return the final stats, with SIPp's exit code and the verdict
   */
  LoadStats stopLoad(String runId) {
    requireConnectedNow();
    checkRunId(runId);
    Duration grace = config().timeouts().request();
    return toStats(join(requireClient().stopRun(runId, false, grace), grace.plusSeconds(20)));
  }

  /**
   * Reads a load run's figures.
   *
   * @param runId the run
   * @return the latest stats (final once the run ended)
   */
  LoadStats loadStats(String runId) {
    requireConnectedNow();
    checkRunId(runId);
    return toStats(join(requireClient().getRun(runId), config().timeouts().request()));
  }

  private static LoadStats toStats(JsonNode run) {
    JsonNode s = run.path("stats");
    Map<String, Long> causes = new LinkedHashMap<>();
    s.path("failureCauses")
        .fields()
        .forEachRemaining(e -> causes.put(e.getKey(), e.getValue().asLong()));
    return new LoadStats(
        run.path("id").asText(),
        run.path("state").asText(),
        run.hasNonNull("exitCode") ? run.get("exitCode").asInt() : null,
        run.hasNonNull("verdict") ? run.get("verdict").asText() : null,
        s.path("totalCallCreated").asLong(),
        s.path("successfulCalls").asLong(),
        s.path("failedCalls").asLong(),
        s.path("currentCalls").asLong(),
        s.path("targetRate").asDouble(),
        s.path("callRate").asDouble(),
        causes);
  }

  private static void checkRunId(String runId) {
    if (runId == null || !RUN.matcher(runId).matches()) {
      throw new IllegalArgumentException("run id must match [A-Za-z0-9_-]{1,64}");
    }
  }

  private void requireConnectedNow() {
    if (core.connectionState() != ConnectionState.CONNECTED) {
      throw new AdapterConnectionException("[" + name() + "] not connected to the SIPp agent");
    }
  }

  private SippAgentClient requireClient() {
    SippAgentClient c = client;
    if (c == null) {
      throw new AdapterConnectionException("[" + name() + "] not connected to the SIPp agent");
    }
    return c;
  }

  private static <T> T join(CompletableFuture<T> future, Duration timeout) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new AdapterTimeoutException(
          "SIPp agent did not answer within " + timeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdapterConnectionException("interrupted while waiting for the SIPp agent", e);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new AdapterConnectionException(cause.getMessage(), cause);
    }
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return b;
  }

  // ---------------------------------------------------------------- events

  private void startPoller(SippAgentClient c, long generation) {
    Thread t = new Thread(() -> pollLoop(c, generation), "sipp-adapter-events-" + name());
    t.setDaemon(true);
    poller = t;
    t.start();
  }

  private void pollLoop(SippAgentClient c, long generation) {
    Thread me = Thread.currentThread();
    while (poller == me) {
      JsonNode page;
      try {
        okhttp3.Call call = c.eventsCall(lastSeq, settings.eventWait());
        currentPoll = call;
        if (poller != me) {
          return;
        }
        page = c.execute(call);
      } catch (RuntimeException e) {
        // any failure of the poll (I/O, a reply that is not JSON) is a lost link: reconnect
        if (poller == me) {
          poller = null;
          LOG.warn("[{}] lost the SIPp agent's event stream: {}", name(), e.getMessage());
          core.reportConnectionLost(generation, e);
        }
        return;
      }
      if (poller != me) {
        return;
      }
      if (page.path("lost").asBoolean()) {
        core.reportError(null, "the SIPp agent dropped events before they were read", null);
        findOwnRuns(c);
      }
      for (JsonNode event : page.path("events")) {
        try {
          route(event);
        } catch (RuntimeException e) {
          core.reportError(null, "cannot map a SIPp agent event: " + e.getMessage(), e);
        }
      }
      lastSeq = page.path("last").asLong(lastSeq);
    }
  }

  /** After lost events: the runs of calls given up here are found by their markers. */
  private void findOwnRuns(SippAgentClient c) {
    try {
      for (JsonNode r : c.listRuns()) {
        Optional<String> callId = core.callIdOfMarker(textOrNull(r.path("spec"), "marker"));
        if (callId.isPresent() && running(r) && core.findCall(callId.get()).isEmpty()) {
          core.bindServerId(callId.get(), RUN_ID, r.path("id").asText());
        }
      }
    } catch (SipAdapterException e) {
      LOG.debug("[{}] cannot list the agent's runs: {}", name(), e.getMessage());
    }
  }

  private void route(JsonNode event) {
    String runId = event.path("runId").asText();
    String marker = textOrNull(event, "marker");
    if (inboundMarker.equals(marker)) {
      onRunNotPlacedHere(runId, null, event, true);
      return;
    }
    if (marker != null && marker.startsWith(loadMarkerPrefix)) {
      return; // load runs raise no call events
    }
    Optional<String> own = core.callIdOfMarker(marker);
    if (own.isPresent()) {
      onOwnCallRun(own.get(), runId, event);
    } else {
      onRunNotPlacedHere(runId, marker, event, false);
    }
  }

  /**
   * An event of the run of one of this adapter's calls. Binding the run to a call that ended here
   * (given up) has the run hung up; reports about a call that ended otherwise are dropped by core.
   */
  private void onOwnCallRun(String callId, String runId, JsonNode event) {
    core.bindServerId(callId, RUN_ID, runId);
    switch (event.path("type").asText()) {
      case "call" -> {
        JsonNode c = event.path("call");
        String sipCallId = c.path("callId").asText();
        core.bindServerId(callId, SIP_CALL_ID, sipCallId);
        applyProgress(callId, c, Map.of(RUN_ID, runId, SIP_CALL_ID, sipCallId));
      }
      case "run-ended" -> {
        String verdict = event.path("verdict").asText();
        int exit = event.path("exitCode").asInt();
        boolean answered =
            core.findCall(callId).map(t -> t.state() == CallState.CONNECTED).orElse(false);
        HangupCause cause =
            answered && "PASSED".equals(verdict)
                ? HangupCause.NORMAL_CLEARING
                : HangupCause.NORMAL_TEMPORARY_FAILURE.withText(
                    "sipp run ended: exit code " + exit + ", " + verdict);
        core.reportCallEnded(callId, cause, Map.of(RUN_ID, runId));
      }
      default -> {}
    }
  }

  /**
   * An event of a run this adapter did not start for a call: its inbound UAS run, another
   * application's run (a foreign marker) or a run without a marker. Their traced calls are reported
   * as calls this adapter did not place.
   */
  private void onRunNotPlacedHere(
      String runId, String marker, JsonNode event, boolean ownInboundRun) {
    String type = event.path("type").asText();
    if ("run-ended".equals(type)) {
      for (TrackedCall call : core.trackedCalls()) {
        if (call.direction() == CallDirection.INBOUND
            && runId.equals(call.serverId(RUN_ID).orElse(null))) {
          core.reportCallEnded(
              call.callId(), HangupCause.NORMAL_CLEARING.withText("sipp run ended"), Map.of());
        }
      }
      if (ownInboundRun && runId.equals(inboundRunId)) {
        inboundRunId = null;
        core.reportError(
            null,
            "the inbound SIPp run ended: exit code "
                + event.path("exitCode").asInt()
                + ", "
                + event.path("verdict").asText(),
            null);
      }
      return;
    }
    if (!"call".equals(type)) {
      return;
    }
    JsonNode c = event.path("call");
    String sipCallId = c.path("callId").asText();
    Map<String, String> ids = new LinkedHashMap<>();
    ids.put(RUN_ID, runId);
    ids.put(SIP_CALL_ID, sipCallId);
    if (marker != null) {
      ids.put(MARKER, marker);
    }
    Optional<TrackedCall> known =
        core.findCallByServerId(SIP_CALL_ID, sipCallId)
            .filter(t -> runId.equals(t.serverId(RUN_ID).orElse(null)));
    if (known.isPresent()) {
      applyProgress(known.get().callId(), c, ids);
      return;
    }
    String state = c.path("state").asText();
    if (state.equals("INCOMING") || state.equals("DIALING")) {
      // the first event of a call: SIPp received an INVITE (INCOMING) or another client's run
      // sent one (DIALING)
      String callId =
          core.reportIncomingCall(
              userOf(c.path("from").asText()),
              userOf(c.path("to").asText()),
              state.equals("INCOMING") ? CallState.RINGING : CallState.DIALING,
              ids);
      core.bindServerId(callId, SIP_CALL_ID, sipCallId);
    }
  }

  /** Reports a traced call's new state. */
  private void applyProgress(String callId, JsonNode c, Map<String, String> ids) {
    int status = c.path("status").asInt();
    switch (c.path("state").asText()) {
      case "RINGING" ->
          core.reportCallState(
              callId, status == 183 ? CallState.EARLY_MEDIA : CallState.RINGING, null, ids);
      case "CONNECTED" -> core.reportCallState(callId, CallState.CONNECTED, null, ids);
      case "DISCONNECTED" -> {
        boolean local = "local".equals(c.path("hangupBy").asText());
        HangupCause cause =
            status == 487 && local
                ? HangupCause.ORIGINATOR_CANCEL
                : HangupCause.NORMAL_CLEARING.withText(
                    local ? "hung up by SIPp" : "far end hung up");
        core.reportCallEnded(callId, cause, ids);
      }
      case "FAILED" -> {
        String reason = c.path("reason").asText("");
        core.reportCallEnded(
            callId, HangupCause.ofSip(status).withText(status + " " + reason), ids);
      }
      default -> {}
    }
  }

  private static String textOrNull(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** The user part of a From/To header value, such as {@code sipp} in {@code <sip:sipp@h>}. */
  static String userOf(String header) {
    int sip = header.indexOf("sip:");
    if (sip < 0) {
      return header;
    }
    int start = sip + 4;
    int end = start;
    while (end < header.length() && "@>;:".indexOf(header.charAt(end)) < 0) {
      end++;
    }
    return header.substring(start, end);
  }
}
