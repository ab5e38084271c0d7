package org.sipadapter.cli.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.sipadapter.CallOptions;
import org.sipadapter.CallRecord;
import org.sipadapter.CallState;
import org.sipadapter.Feature;
import org.sipadapter.HangupCause;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.cli.EventText;
import org.sipadapter.cli.Records;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.ConnectionStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.event.ServerEvent;

/**
 * Runs the demo: starts each available {@link DemoTarget}, runs its scripted calls through the
 * adapter while printing a live timeline of the unified events, and returns one {@link DemoResult}
 * per call. Not thread-safe; one run at a time.
 */
public final class DemoRunner {
  private static final Duration ANSWER_WAIT = Duration.ofSeconds(15);
  private static final Duration STEP_WAIT = Duration.ofSeconds(5);
  private static final Duration END_WAIT = Duration.ofSeconds(10);
  private static final Duration RING_TIMEOUT = Duration.ofSeconds(10);
  private static final String DTMF = "1234#";

  /** A target the demo did not run, and why. */
  public record Skipped(String adapterType, String reason) {}

  private final Consumer<String> timeline;
  private final Consumer<String> progress;
  private final long startNanos = System.nanoTime();
  private final List<Skipped> skipped = new ArrayList<>();
  private final Map<String, String> shortIds = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> shownIds = new ConcurrentHashMap<>();
  private final AtomicInteger callCounter = new AtomicInteger();

  /**
   * Creates a runner.
   *
   * @param timeline receives one line per event, as it happens (called from delivery threads)
   * @param progress receives lines about what the demo does (starting, skipping)
   */
  public DemoRunner(Consumer<String> timeline, Consumer<String> progress) {
    this.timeline = timeline;
    this.progress = progress;
  }

  /**
   * Finds the demo targets on the class path.
   *
   * @return every target, in demo order
   */
  public static List<DemoTarget> discover() {
    List<DemoTarget> out = new ArrayList<>();
    ServiceLoader.load(DemoTarget.class, DemoRunner.class.getClassLoader()).forEach(out::add);
    out.sort(Comparator.comparingInt(DemoTarget::order).thenComparing(DemoTarget::adapterType));
    return out;
  }

  /**
   * Runs the targets.
   *
   * @param targets the targets, in order
   * @return one result per call that ran
   */
  public List<DemoResult> run(List<DemoTarget> targets) {
    List<DemoResult> results = new ArrayList<>();
    for (DemoTarget t : targets) {
      Optional<String> why = t.unavailableReason();
      if (why.isPresent()) {
        skipped.add(new Skipped(t.adapterType(), why.get()));
        continue;
      }
      results.addAll(runTarget(t));
    }
    return results;
  }

  /**
   * Returns the targets that did not run, with the reasons.
   *
   * @return the skipped targets, in order
   */
  public List<Skipped> skipped() {
    return List.copyOf(skipped);
  }

  private List<DemoResult> runTarget(DemoTarget t) {
    String type = t.adapterType();
    progress.accept("start " + type + " ...");
    DemoServer server;
    try {
      server = t.start();
    } catch (Exception e) {
      return List.of(failed(type, "-", null, List.of(), "server did not start: " + message(e)));
    }
    try (server) {
      progress.accept(
          "using "
              + type
              + ": "
              + server.description()
              + (server.details().isEmpty() ? "" : " (" + server.details() + ")"));
      SipAdapter adapter;
      try {
        adapter = server.createAdapter();
      } catch (RuntimeException e) {
        return List.of(
            failed(type, server.description(), null, List.of(), "adapter: " + message(e)));
      }
      try (adapter) {
        Map<String, CallTrace> traces = new ConcurrentHashMap<>();
        List<IncomingCall> incoming = new ArrayList<>();
        adapter.addListener(
            new SipAdapterListener() {
              @Override
              public void onEvent(AdapterEvent e) {
                if (e instanceof ServerEvent) {
                  return;
                }
                if (e instanceof IncomingCall ic) {
                  synchronized (incoming) {
                    incoming.add(ic);
                    incoming.notifyAll();
                  }
                }
                if (e instanceof CallStateChanged c) {
                  traces.computeIfAbsent(c.callId(), k -> new CallTrace()).add(c);
                }
                print(e);
              }
            });
        List<String> features = featureNames(adapter.features());
        try {
          adapter.connect();
        } catch (RuntimeException e) {
          return List.of(
              failed(type, server.description(), null, features, "connect: " + message(e)));
        }
        String serverText =
            server.description() + adapter.serverVersion().map(v -> " " + v).orElse("");
        List<DemoResult> results = new ArrayList<>();
        for (DemoCall call : server.calls()) {
          results.add(runCall(adapter, server, serverText, call, traces, incoming, features));
        }
        return results;
      }
    }
  }

  private DemoResult runCall(
      SipAdapter adapter,
      DemoServer server,
      String serverText,
      DemoCall call,
      Map<String, CallTrace> traces,
      List<IncomingCall> incoming,
      List<String> features) {
    String type = adapter.type();
    List<String> notes = new ArrayList<>();
    String callId = null;
    try {
      if (call.inbound()) {
        int seen;
        synchronized (incoming) {
          seen = incoming.size();
        }
        server.startInboundCall(call);
        callId = awaitIncoming(incoming, seen);
        if (callId == null) {
          return failed(type, serverText, call, features, "the adapter saw no incoming call");
        }
        server.inboundCallSeen(call);
      } else {
        callId =
            adapter.makeCall(
                call.from(), call.to(), CallOptions.builder().timeout(RING_TIMEOUT).build());
      }
      CallTrace trace = traces.computeIfAbsent(callId, k -> new CallTrace());
      if (call.talk()) {
        talk(adapter, callId, trace, notes);
        // Steps such as DTMF raise no event of their own: say here what each did.
        if (!notes.isEmpty()) {
          progress.accept(label(callId) + " steps: " + String.join(", ", notes));
        }
      }
      CallState end = trace.await(CallState::isTerminal, END_WAIT);
      return result(adapter, serverText, call, callId, trace, features, notes, end);
    } catch (Exception e) {
      CallTrace trace = callId == null ? null : traces.get(callId);
      return new DemoResult(
          type,
          serverText,
          call,
          trace == null ? List.of() : trace.states(),
          null,
          null,
          features,
          notes,
          message(e));
    }
  }

  private void talk(SipAdapter adapter, String callId, CallTrace trace, List<String> notes)
      throws InterruptedException {
    Set<Feature> f = adapter.features();
    CallState s = trace.await(CallState::isAnswered, ANSWER_WAIT);
    if (s == CallState.RINGING || s == CallState.EARLY_MEDIA || s == CallState.DIALING) {
      return;
    }
    if (s != null && !s.isAnswered() && !s.isTerminal() && f.contains(Feature.ANSWER)) {
      adapter.answer(callId);
      notes.add("answer ok");
      s = trace.await(CallState::isAnswered, STEP_WAIT);
    }
    if (s == null || !s.isAnswered()) {
      return;
    }
    if (f.contains(Feature.HOLD)) {
      notes.add(
          step(
              "hold",
              () -> {
                adapter.hold(callId);
                requireState(trace, CallState.ON_HOLD);
                adapter.resume(callId);
                requireState(trace, CallState.CONNECTED);
              }));
    }
    if (f.contains(Feature.SEND_DTMF)) {
      notes.add(step("dtmf " + DTMF, () -> adapter.sendDtmf(callId, DTMF)));
    }
    adapter.hangup(callId);
    notes.add("hangup sent");
  }

  private static void requireState(CallTrace trace, CallState wanted) throws Exception {
    CallState s = trace.await(x -> x == wanted, STEP_WAIT);
    if (s != wanted) {
      throw new IllegalStateException("expected " + wanted + ", call is " + s);
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private static String step(String name, Step step) {
    try {
      step.run();
      return name + " ok";
    } catch (Exception e) {
      return name + " FAILED: " + message(e);
    }
  }

  private DemoResult result(
      SipAdapter adapter,
      String serverText,
      DemoCall call,
      String callId,
      CallTrace trace,
      List<String> features,
      List<String> notes,
      CallState end)
      throws InterruptedException {
    CallRecord record = Records.await(adapter, callId, Duration.ofSeconds(1)).orElse(null);
    String problem = null;
    if (end == null || !end.isTerminal()) {
      problem = "did not end within " + END_WAIT.toSeconds() + " s";
    } else if (end != call.expected()) {
      problem = "ended " + end + ", expected " + call.expected();
    } else if (trace.last().cause() != null && trace.last().cause().withoutHangupEvent()) {
      // Core ended the call itself: the server took the hangup but never said the call ended.
      problem =
          "ended "
              + end
              + " only locally: the server never reported the end "
              + HangupCause.NO_HANGUP_EVENT;
    } else {
      for (String n : notes) {
        if (n.contains("FAILED")) {
          problem = n;
        }
      }
    }
    return new DemoResult(
        adapter.type(),
        serverText,
        call,
        trace.states(),
        record == null || record.answeredAt() == null ? null : record.setupTime(),
        record == null ? (trace.last() == null ? null : trace.last().cause()) : record.cause(),
        features,
        notes,
        problem);
  }

  private static String awaitIncoming(List<IncomingCall> incoming, int seen)
      throws InterruptedException {
    long deadline = System.nanoTime() + ANSWER_WAIT.toNanos();
    synchronized (incoming) {
      while (incoming.size() <= seen) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        incoming.wait(left / 1_000_000 + 1);
      }
      return incoming.get(seen).callId();
    }
  }

  private static DemoResult failed(
      String type, String server, DemoCall call, List<String> features, String problem) {
    return new DemoResult(type, server, call, List.of(), null, null, features, List.of(), problem);
  }

  private void print(AdapterEvent e) {
    long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("+%7.3fs  %-10s ", elapsedMs / 1000.0, e.adapterType()));
    if (e instanceof CallStateChanged c) {
      String label = label(c.callId());
      sb.append(String.format("%-9s %-13s", label, c.state()));
      if (c.cause() != null) {
        sb.append(EventText.cause(c.cause())).append("  ");
      }
      Map<String, String> before = shownIds.put(c.callId(), c.serverIds());
      if (!c.serverIds().equals(before) && !c.serverIds().isEmpty()) {
        sb.append(EventText.ids(c.serverIds()));
      }
    } else if (e instanceof IncomingCall ic) {
      sb.append(
          String.format("%-9s %-13s", label(ic.callId()), "INCOMING")
              + "from "
              + ic.from()
              + " to "
              + ic.to());
    } else if (e instanceof ConnectionStateChanged c) {
      sb.append(String.format("%-9s %-13s", "link", c.state())).append(c.reason());
    } else {
      sb.append(EventText.body(e));
    }
    timeline.accept(sb.toString().stripTrailing());
  }

  private String label(String callId) {
    return shortIds.computeIfAbsent(
        callId,
        id -> {
          String l = "call #" + callCounter.incrementAndGet();
          progress.accept(l + " = " + id);
          return l;
        });
  }

  static List<String> featureNames(Set<Feature> features) {
    List<String> out = new ArrayList<>();
    for (Feature f : Feature.values()) {
      if (features.contains(f)) {
        out.add(f.displayName());
      }
    }
    return out;
  }

  static String message(Throwable e) {
    Throwable c = e;
    while ((c instanceof java.util.concurrent.CompletionException
            || c instanceof java.util.concurrent.ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }
}
