package org.sipadapter.benchmarks.esl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.benchmarks.path.CpuMeter;
import org.sipadapter.benchmarks.path.OrderCheck;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.freeswitch.FreeSwitchAdapter;

/**
 * The whole path from the socket to a listener: a loopback server streams recorded FreeSWITCH
 * events (an inbound {@code CHANNEL_CREATE} and its {@code CHANNEL_HANGUP_COMPLETE} per call, with
 * fresh UUIDs) to a connected {@link FreeSwitchAdapter}; an operation ends when the listener has
 * seen every resulting event ({@code IncomingCall}, RINGING, the terminal state). Scores are ESL
 * events per second; the reader thread, the adapter's event thread and core's dispatcher all run. A
 * second listener ({@link OrderCheck}) checks per-call order and that nothing follows a call's
 * terminal event. Each batch reuses one byte array whose call UUIDs are rewritten in place, so
 * {@code gc.alloc.rate.norm} is the adapter's allocation, not the benchmark's.
 *
 * <pre>
 * java -jar sip-adapter-benchmarks/target/benchmarks.jar esl.EslListenerPathBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class EslListenerPathBenchmark {
  /** Calls per batch. */
  public static final int CALLS = 500;

  static final String PLACEHOLDER = "00000000-0000-4000-8000-00000000beef";
  private static final String UUID_PREFIX = "7e57ca11-0000-4000-8000-";
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private EslLoopbackServer server;
  private FreeSwitchAdapter adapter;
  private final AtomicReference<CountDownLatch> delivered = new AtomicReference<>();
  private final OrderCheck check = new OrderCheck();
  private final CpuMeter cpu = new CpuMeter();
  private String createTemplate;
  private String hangupTemplate;
  private byte[] batch;
  private int[] uuidDigits;
  private int[] uuidCall;
  private int batches;

  /** Starts the loopback server, connects the adapter, loads the event templates. */
  @Setup(Level.Trial)
  public void start() throws Exception {
    EslEventStream stream = EslEventStream.load();
    createTemplate = template(stream.first("CHANNEL_CREATE"));
    hangupTemplate = template(stream.first("CHANNEL_HANGUP_COMPLETE"));
    buildBatch();
    server = new EslLoopbackServer();
    adapter =
        new FreeSwitchAdapter(
            AdapterConfig.builder(FreeSwitchAdapter.TYPE)
                .name("bench")
                .server(server.host(), server.port())
                .auth("", "bench-secret")
                .build());
    adapter.addListener(
        new SipAdapterListener() {
          @Override
          public void onEvent(AdapterEvent event) {
            CountDownLatch l = delivered.get();
            if (l != null) {
              l.countDown();
            }
          }
        });
    adapter.addListener(check);
    adapter.connect();
  }

  /**
   * The bytes of one batch, as {@link #socketToListener} streams them ({@value #CALLS} calls, two
   * events each), for benchmarks that compare other readers of the same stream.
   *
   * @return a new array
   */
  public static byte[] sampleBatch() {
    EslEventStream stream = EslEventStream.load();
    EslListenerPathBenchmark b = new EslListenerPathBenchmark();
    b.createTemplate = template(stream.first("CHANNEL_CREATE"));
    b.hangupTemplate = template(stream.first("CHANNEL_HANGUP_COMPLETE"));
    b.buildBatch();
    return b.batch;
  }

  /** The recorded event, made inbound, with its channel UUID replaced by a placeholder. */
  static String template(byte[] frame) {
    String f = new String(frame, StandardCharsets.UTF_8);
    String body = f.substring(f.indexOf("\n\n") + 2);
    int at = body.indexOf("\nUnique-ID: ") + 12;
    String uuid = body.substring(at, body.indexOf('\n', at));
    body =
        body.replace(uuid, PLACEHOLDER)
            .replace("Call-Direction: outbound", "Call-Direction: inbound")
            .replace("variable_loopback_leg: B\n", "");
    return body;
  }

  static void append(StringBuilder out, String template, String uuid) {
    String body = template.replace(PLACEHOLDER, uuid);
    out.append("Content-Length: ")
        .append(body.getBytes(StandardCharsets.UTF_8).length)
        .append("\nContent-Type: text/event-plain\n\n")
        .append(body);
  }

  /**
   * Builds the batch once, each call's UUID ending in its index in the batch, and records where
   * every UUID's last 12 hex digits are, so that each invocation can give its calls fresh UUIDs by
   * overwriting those digits in place (same length, so every Content-Length stays right).
   */
  private void buildBatch() {
    StringBuilder sb = new StringBuilder(CALLS * 2 * 3000);
    for (int i = 0; i < CALLS; i++) {
      String uuid = UUID_PREFIX + String.format("%012x", i);
      append(sb, createTemplate, uuid);
      append(sb, hangupTemplate, uuid);
    }
    batch = sb.toString().getBytes(StandardCharsets.UTF_8);
    byte[] prefix = UUID_PREFIX.getBytes(StandardCharsets.US_ASCII);
    int[] found = new int[CALLS * 64];
    int[] callOf = new int[found.length];
    int n = 0;
    for (int p = 0; p + prefix.length + 12 <= batch.length; p++) {
      if (startsWith(batch, p, prefix)) {
        int digits = p + prefix.length;
        found[n] = digits;
        callOf[n] = Integer.parseInt(new String(batch, digits, 12, StandardCharsets.US_ASCII), 16);
        n++;
        p = digits + 11;
      }
    }
    uuidDigits = java.util.Arrays.copyOf(found, n);
    uuidCall = java.util.Arrays.copyOf(callOf, n);
  }

  private static boolean startsWith(byte[] b, int at, byte[] prefix) {
    for (int k = 0; k < prefix.length; k++) {
      if (b[at + k] != prefix[k]) {
        return false;
      }
    }
    return true;
  }

  /** Gives the batch's calls UUIDs no earlier batch used (not measured, allocation-free). */
  @Setup(Level.Invocation)
  public void nextBatch() {
    long base = (long) ++batches * CALLS;
    for (int i = 0; i < uuidDigits.length; i++) {
      long v = base + uuidCall[i];
      int at = uuidDigits[i];
      for (int k = 11; k >= 0; k--) {
        batch[at + k] = HEX[(int) (v & 0xf)];
        v >>>= 4;
      }
    }
  }

  /** Streams one batch and waits until the listener has every event it causes. */
  @Benchmark
  @OperationsPerInvocation(CALLS * 2)
  public void socketToListener() throws Exception {
    cpu.operations(CALLS * 2);
    CountDownLatch latch = new CountDownLatch(CALLS * 3);
    delivered.set(latch);
    server.write(batch);
    if (!latch.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("listener got " + (CALLS * 3 - latch.getCount()) + " events");
    }
  }

  /** Takes the adapter threads' CPU times when a measurement iteration starts. */
  @Setup(Level.Iteration)
  public void iterationStarts(IterationParams iteration) {
    cpu.iterationStarts(iteration);
  }

  /** Adds the CPU time the adapter's threads spent during the iteration. */
  @TearDown(Level.Iteration)
  public void iterationEnds() {
    cpu.iterationEnds();
  }

  /** Forgets the calls that ended, so the order check's map stays small (not measured). */
  @TearDown(Level.Invocation)
  public void forgetEnded() {
    check.forgetEnded();
  }

  /**
   * Closes the adapter and the server.
   *
   * @throws IllegalStateException if a call's events broke the delivery guarantees
   */
  @TearDown(Level.Trial)
  public void stop() throws IOException {
    System.out.println("\n" + check.summary());
    System.out.println(cpu.summary());
    adapter.close();
    server.close();
    check.verify();
  }
}
