package org.sipadapter.sipp;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.CallDirection;
import org.sipadapter.CallException;
import org.sipadapter.CallSnapshot;
import org.sipadapter.CallState;
import org.sipadapter.ConnectTarget;
import org.sipadapter.ConnectionState;
import org.sipadapter.Feature;
import org.sipadapter.HangupCause;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterException;
import org.sipadapter.TrackedCall;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.http.OkHttpCalls;
import org.sipadapter.sipp.agent.AgentConfig;
import org.sipadapter.sipp.agent.RunSpec;
import org.sipadapter.sipp.agent.SippAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adapter for SIPp, driven through the SIPp agent ({@link SippAgent}) since SIPp has no network API
 * of its own.
 *
 * <p>{@link #makeCall} starts a one-call run of the agent's {@code call} scenario toward {@code
 * options.target} (or the {@code host:port} in {@code to = user@host:port}) and reports the call's
 * states from SIPp's own message trace: DIALING when the INVITE is sent, RINGING on 18x (183:
 * EARLY_MEDIA), CONNECTED on 200, DISCONNECTED on BYE, FAILED with the SIP status mapped to a
 * {@link HangupCause}. {@link #hangup} stops the run: the agent makes SIPp send BYE (or CANCEL
 * while ringing). Load runs are adapter methods: {@link #startLoad}, {@link #updateRate}, {@link
 * #stopLoad}, {@link #loadStats}. With {@code options.inboundPort}, a UAS run listens while
 * connected and its calls are reported as incoming calls (SIPp answers them per its scenario).
 * {@code options.mode: embedded} starts the agent inside this JVM on a free loopback port.
 *
 * <p>Events come from the agent's long-polled {@code GET /events} on one background thread and are
 * handed to the SDK's delivery threads. Thread-safe.
 */
public final class SippAdapter extends SipAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(SippAdapter.class);

  /** Server id key of the agent run that carries a call. */
  public static final String RUN_ID = "sipp.runId";

  /** Server id key of the SIP Call-ID. */
  public static final String SIP_CALL_ID = "sip.callId";

  private static final Pattern USER = Pattern.compile("[A-Za-z0-9._~+*#!-]{1,64}");
  private static final Pattern RUN = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final int MAX_EARLY_RUNS = 512;
  private static final int MAX_EARLY_EVENTS = 64;

  private final SippSettings settings;
  private final OkHttpClient http = new OkHttpClient();
  private final Object routing = new Object();
  private final Map<String, List<JsonNode>> early = new LinkedHashMap<>();
  private final Set<String> ownRuns = ConcurrentHashMap.newKeySet();

  private volatile SippAgent embeddedAgent;
  private volatile SippAgentClient client;
  private volatile Thread poller;
  private volatile okhttp3.Call currentPoll;
  private volatile long lastSeq = -1;
  private volatile String inboundRunId;

  SippAdapter(AdapterConfig config) {
    super(config);
    this.settings = SippSettings.of(config);
  }

  @Override
  public Set<Feature> features() {
    return EnumSet.of(Feature.OUTBOUND_CALLS, Feature.INBOUND_CALLS);
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
  public Optional<java.net.URI> embeddedAgentUri() {
    SippAgent a = embeddedAgent;
    return a == null ? Optional.empty() : Optional.of(a.baseUri());
  }

  // ---------------------------------------------------------------- link

  @Override
  protected void doConnect(ConnectTarget target) throws Exception {
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
    JsonNode health = c.health();
    if (!"UP".equals(health.path("status").asText())) {
      throw new AdapterConnectionException("SIPp agent is not up: " + health);
    }
    serverVersion("SIPp " + health.path("sippVersion").asText("unknown"));
    long agentSeq = health.path("lastEventSeq").asLong(0);
    if (lastSeq < 0 || lastSeq > agentSeq) {
      lastSeq = agentSeq; // first connect, or the agent restarted: start at its present
    }
    client = c;
    startPoller(c);
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
            null);
    JsonNode run = join(c.startRun(spec), timeout);
    String runId = run.path("id").asText();
    synchronized (routing) {
      ownRuns.add(runId);
      inboundRunId = runId;
      drainEarly(runId);
    }
    LOG.info("[{}] listening for inbound calls on SIP port {} (run {})", name(), port, runId);
  }

  @Override
  protected void doDisconnect() {
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
    String inbound = inboundRunId;
    if (c != null && inbound != null && connectionState() != ConnectionState.RECONNECTING) {
      inboundRunId = null;
      c.stopRun(inbound, true, Duration.ZERO)
          .exceptionally(
              e -> {
                LOG.debug("[{}] stopping inbound run failed: {}", name(), e.getMessage());
                return null;
              });
    }
  }

  @Override
  protected void doClose() {
    SippAgent agent = embeddedAgent;
    embeddedAgent = null;
    if (agent != null) {
      agent.close();
    }
    // Calls still running (such as the stop of the inbound run) finish; nothing new is sent.
    OkHttpCalls.release(http);
  }

  @Override
  protected void doKeepalive() {
    SippAgentClient c = client;
    if (c != null) {
      c.health();
    }
  }

  @Override
  protected Map<String, Object> doHealthDetails() {
    JsonNode h = requireClient().health();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("agentRuns", h.path("runs").asInt());
    details.put("agentRunningRuns", h.path("runningRuns").asInt());
    details.put("agentMaxRuns", h.path("maxRuns").asInt());
    details.put("mode", settings.embedded() ? "embedded" : "remote");
    return details;
  }

  @Override
  protected Optional<List<CallSnapshot>> doResync() {
    JsonNode runs = requireClient().listRuns();
    Map<String, String> states = new LinkedHashMap<>();
    for (JsonNode r : runs) {
      states.put(r.path("id").asText(), r.path("state").asText());
    }
    List<CallSnapshot> alive = new ArrayList<>();
    for (TrackedCall call : trackedCalls()) {
      Optional<String> runId = call.serverId(RUN_ID);
      if (runId.isEmpty() && call.direction() == CallDirection.OUTBOUND) {
        alive.add(new CallSnapshot(call.callId(), call.state(), call.serverIds()));
        continue; // its run is still being started
      }
      String state = runId.map(states::get).orElse(null);
      if (state != null && !state.equals("ENDED")) {
        alive.add(new CallSnapshot(call.callId(), call.state(), call.serverIds()));
      }
    }
    return Optional.of(alive);
  }

  @Override
  protected void validateWireInput(String field, String value) {
    super.validateWireInput(field, value);
    switch (field) {
      case "from", "callerIdNumber" -> {
        if (!USER.matcher(value).matches()) {
          throw new IllegalArgumentException(
              field + " must be a SIP user part: 1..64 of letters, digits and . _ ~ + * # ! -");
        }
      }
      case "to" -> destination(value);
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
    if (!SippSettings.TARGET.matcher(target).matches()) {
      throw new IllegalArgumentException("the destination must be host:port, was " + target);
    }
    return new String[] {user, target};
  }

  // ---------------------------------------------------------------- calls

  @Override
  protected CompletableFuture<Void> doMakeCall(TrackedCall call) {
    String[] dest = destination(call.to());
    RunSpec spec =
        new RunSpec(
            settings.scenario(),
            dest[1],
            call.from(),
            dest[0],
            null,
            null,
            null,
            1,
            null,
            settings.transport(),
            null,
            null,
            true,
            null);
    return requireClient()
        .startRun(spec)
        .thenAccept(
            run -> {
              String runId = run.path("id").asText();
              synchronized (routing) {
                ownRuns.add(runId);
                bindServerId(call.callId(), RUN_ID, runId);
                drainEarly(runId);
              }
            });
  }

  @Override
  protected CompletableFuture<Void> doHangup(TrackedCall call, HangupCause cause) {
    if (call.direction() == CallDirection.INBOUND) {
      return CompletableFuture.failedFuture(
          new CallException(
              "SIPp ends inbound calls as its UAS scenario says; stop the inbound run instead"));
    }
    Optional<String> runId = call.serverId(RUN_ID);
    if (runId.isEmpty()) {
      return CompletableFuture.failedFuture(
          new CallException("call " + call.callId() + " has not reached the SIPp agent yet"));
    }
    // The agent answers at once and stops the run in the background; the BYE/CANCEL and the
    // call's end arrive as events (the base class ends the call if none comes in time).
    return requireClient()
        .stopRun(runId.get(), false, config().timeouts().request(), false)
        .thenApply(run -> null);
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
  public String startLoad(LoadSpec spec) {
    requireConnectedNow();
    validateWireInput("from", spec.from());
    if (!USER.matcher(spec.to()).matches()) {
      throw new IllegalArgumentException("to must be a SIP user part");
    }
    if (!SippSettings.TARGET.matcher(spec.target()).matches()) {
      throw new IllegalArgumentException("target must be host:port");
    }
    if (!RUN.matcher(spec.scenario()).matches()) {
      throw new IllegalArgumentException("scenario must match [A-Za-z0-9_-]{1,64}");
    }
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
            null);
    JsonNode started = join(requireClient().startRun(run), config().timeouts().request());
    String runId = started.path("id").asText();
    ownRuns.add(runId);
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
  public void updateRate(String runId, double rate) {
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
  public void updateLimit(String runId, int limit) {
    requireConnectedNow();
    checkRunId(runId);
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
    join(requireClient().patchRun(runId, null, limit), config().timeouts().request());
  }

  /**
   * Stops a load run gracefully (no new calls; running calls finish within the request timeout,
   * then SIGTERM) and returns its final figures.
   *
   * @param runId the run
   * @return the final stats, with SIPp's exit code and the verdict
   */
  public LoadStats stopLoad(String runId) {
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
  public LoadStats loadStats(String runId) {
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
    if (connectionState() != ConnectionState.CONNECTED) {
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

  // ---------------------------------------------------------------- events

  private void startPoller(SippAgentClient c) {
    Thread t = new Thread(() -> pollLoop(c), "sipp-adapter-events-" + name());
    t.setDaemon(true);
    poller = t;
    t.start();
  }

  private void pollLoop(SippAgentClient c) {
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
          reportConnectionLost(e);
        }
        return;
      }
      if (poller != me) {
        return;
      }
      if (page.path("lost").asBoolean()) {
        reportError(null, "the SIPp agent dropped events before they were read", null);
      }
      for (JsonNode event : page.path("events")) {
        try {
          route(event);
        } catch (RuntimeException e) {
          reportError(null, "cannot map a SIPp agent event: " + e.getMessage(), e);
        }
      }
      lastSeq = page.path("last").asLong(lastSeq);
    }
  }

  private void route(JsonNode event) {
    String runId = event.path("runId").asText();
    synchronized (routing) {
      if (!ownRuns.contains(runId)) {
        // The POST that started this run may not have returned yet: keep its events a while.
        List<JsonNode> pending = early.computeIfAbsent(runId, k -> new ArrayList<>());
        if (pending.size() < MAX_EARLY_EVENTS) {
          pending.add(event); // a run of another client (an agent may be shared) stays bounded
        }
        if (early.size() > MAX_EARLY_RUNS) {
          Iterator<String> oldest = early.keySet().iterator();
          oldest.next();
          oldest.remove();
        }
        return;
      }
      dispatch(runId, event);
    }
  }

  /** Replays events that arrived before the run was bound; caller holds {@code routing}. */
  private void drainEarly(String runId) {
    List<JsonNode> pending = early.remove(runId);
    if (pending != null) {
      for (JsonNode e : pending) {
        dispatch(runId, e);
      }
    }
  }

  private void dispatch(String runId, JsonNode event) {
    switch (event.path("type").asText()) {
      case "call" -> onCallEvent(runId, event.path("call"));
      case "run-ended" -> onRunEnded(runId, event);
      default -> {}
    }
  }

  private void onCallEvent(String runId, JsonNode c) {
    String sipCallId = c.path("callId").asText();
    String state = c.path("state").asText();
    int status = c.path("status").asInt();
    Map<String, String> ids = Map.of(RUN_ID, runId, SIP_CALL_ID, sipCallId);
    String callId;
    if ("inbound".equals(c.path("direction").asText())) {
      if ("INCOMING".equals(state)) {
        callId =
            reportIncomingCall(
                userOf(c.path("from").asText()),
                userOf(c.path("to").asText()),
                CallState.RINGING,
                ids);
        bindServerId(callId, SIP_CALL_ID, sipCallId);
        return;
      }
      Optional<TrackedCall> call = findCallByServerId(SIP_CALL_ID, sipCallId);
      if (call.isEmpty()) {
        return;
      }
      callId = call.get().callId();
    } else {
      Optional<TrackedCall> call = findCallByServerId(RUN_ID, runId);
      if (call.isEmpty()) {
        return;
      }
      callId = call.get().callId();
      bindServerId(callId, SIP_CALL_ID, sipCallId);
    }
    switch (state) {
      case "RINGING" ->
          reportCallState(
              callId, status == 183 ? CallState.EARLY_MEDIA : CallState.RINGING, null, ids);
      case "CONNECTED" -> reportCallState(callId, CallState.CONNECTED, null, ids);
      case "DISCONNECTED" -> {
        boolean local = "local".equals(c.path("hangupBy").asText());
        HangupCause cause =
            status == 487 && local
                ? HangupCause.ORIGINATOR_CANCEL
                : HangupCause.NORMAL_CLEARING.withText(
                    local ? "hung up by SIPp" : "far end hung up");
        reportCallEnded(callId, cause, ids);
      }
      case "FAILED" -> {
        String reason = c.path("reason").asText("");
        reportCallEnded(callId, HangupCause.ofSip(status).withText(status + " " + reason), ids);
      }
      default -> {}
    }
  }

  private void onRunEnded(String runId, JsonNode event) {
    String verdict = event.path("verdict").asText();
    int exit = event.path("exitCode").asInt();
    for (TrackedCall call : trackedCalls()) {
      if (runId.equals(call.serverId(RUN_ID).orElse(null)) && !call.state().isTerminal()) {
        HangupCause cause =
            call.state() == CallState.CONNECTED && "PASSED".equals(verdict)
                ? HangupCause.NORMAL_CLEARING
                : HangupCause.NORMAL_TEMPORARY_FAILURE.withText(
                    "sipp run ended: exit code " + exit + ", " + verdict);
        reportCallEnded(call.callId(), cause, Map.of(RUN_ID, runId));
      }
    }
    if (runId.equals(inboundRunId)) {
      inboundRunId = null;
      reportError(null, "the inbound SIPp run ended: exit code " + exit + ", " + verdict, null);
    }
    ownRuns.remove(runId);
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
