package org.sipadapter.benchmarks.yate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
import org.sipadapter.benchmarks.path.CpuMeter;
import org.sipadapter.benchmarks.path.OrderCheck;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.yate.YateAdapter;

/**
 * The whole inbound path of the Yate adapter: a loopback extmodule server streams, per call, the
 * messages of an inbound SIP call as Yate 6 sends them to a module with a {@code call.route}
 * handler and watches (shapes from the {@code yate-extmodule} recordings: {@code call.route}, then
 * the watched {@code call.execute}, {@code call.answered}, {@code chan.hangup} of both legs). The
 * adapter answers each {@code call.route} on the wire, raises {@code IncomingCall}, RINGING,
 * CONNECTED and DISCONNECTED; a listener on core's dispatcher counts them and {@link OrderCheck}
 * checks per-call order and that nothing follows a call's terminal event.
 *
 * <p>One operation is one extmodule message in. Each invocation reuses one byte array whose channel
 * numbers are rewritten in place, so {@code gc.alloc.rate.norm} is the adapter's allocation.
 *
 * <pre>
 * java -jar sip-adapter-benchmarks/target/benchmarks.jar yate.YatePathBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class YatePathBenchmark {
  /** Calls per batch. */
  public static final int CALLS = 400;

  /** Messages per call. */
  public static final int MESSAGES_PER_CALL = 5;

  private static final int EVENTS_PER_CALL = 4;
  private static final int DIGITS = 10;
  private static final long WAIT_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(30);

  /**
   * The messages of one inbound call as Yate 6 sends them ({@code #} stands for the call's number),
   * shared with {@link YateDecodeBenchmark}.
   */
  static final String[] MESSAGES = {
    "%%>message:0xbe.#:1795671609:call.route::id=sip/#:module=sip:status=incoming"
        + ":address=127.0.0.1%z5081:billid=1795671524-#:answered=false:direction=incoming"
        + ":callid=sip/1-#@127.0.0.1/SIPpTag001/:caller=sipp:called=4000:callername=sipp"
        + ":antiloop=19:ip_host=127.0.0.1:ip_port=5081:ip_transport=UDP"
        + ":sip_uri=sip%z4000@127.0.0.1%z5062:sip_from=sip%zsipp@127.0.0.1%z5081"
        + ":sip_to=4000 <sip%z4000@127.0.0.1%z5062>:sip_callid=1-#@127.0.0.1:newcall=true"
        + ":domain=127.0.0.1:media=yes:formats=mulaw:transport=RTP/AVP:rtp_port=6000",
    "%%<message::true:call.execute::id=sip/#:module=sip:status=incoming"
        + ":address=127.0.0.1%z5081:billid=1795671524-#:answered=false:direction=incoming"
        + ":caller=sipp:called=4000:callername=sipp:callto=dumb/"
        + ":handlers=javascript%z15,gvoice%z20,queues%z45,yrtp%z50,dumb%z90"
        + ":peerid=dumb/#:targetid=dumb/#:autoring=true",
    "%%<message::false:call.answered::id=dumb/#:targetid=sip/#"
        + ":handlers=javascript%z15,callfork%z20,queues%z45,yrtp%z50,sip%z100",
    "%%<message::false:chan.hangup::id=sip/#:module=sip:cause_sip=200"
        + ":status=answered:address=127.0.0.1%z5081:targetid=dumb/#:billid=1795671524-#"
        + ":peerid=dumb/#:lastpeerid=dumb/#:answered=true:direction=incoming:domain=127.0.0.1"
        + ":handlers=javascript%z15,queues%z45,yrtp%z50,cdrbuild%z150",
    "%%<message::false:chan.hangup::id=dumb/#:module=dumb:status=outgoing"
        + ":billid=1795671524-#:lastpeerid=sip/#:answered=false:direction=outgoing"
        + ":handlers=javascript%z15,queues%z45,cdrbuild%z150"
  };

  private final OrderCheck check = new OrderCheck();
  private final CpuMeter cpu = new CpuMeter();
  private ServerSocket server;
  private volatile OutputStream toAdapter;
  private YateAdapter adapter;
  private byte[] batch;
  private int[] numberAt;
  private int[] callOf;
  private long batches;
  private long perBatch;
  private long target;

  /**
   * Starts the loopback server, connects the adapter and measures how many events one batch yields.
   *
   * @throws Exception if the loopback link cannot be set up
   */
  @Setup(Level.Trial)
  public void start() throws Exception {
    buildBatch();
    server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::serve, "bench-yate-server");
    accept.setDaemon(true);
    accept.start();
    adapter =
        new YateAdapter(
            AdapterConfig.builder(YateAdapter.TYPE)
                .name("bench")
                .server("127.0.0.1", server.getLocalPort())
                .option("inbound", true)
                .build());
    adapter.addListener(check);
    adapter.connect();
    // IncomingCall, RINGING, CONNECTED, DISCONNECTED per call; the second chan.hangup (of the
    // call's other leg) comes after the end and carries nothing.
    perBatch = CALLS * EVENTS_PER_CALL;
    long before = check.settle(); // the connection's state changes
    nextBatch();
    target = before + perBatch;
    socketToListener();
    long settled = check.settle() - before;
    if (settled != perBatch) {
      throw new IllegalStateException(
          "one batch gave " + settled + " events, expected " + perBatch + ": " + check.summary());
    }
  }

  /**
   * The bytes of one batch, as {@link #socketToListener} streams them ({@value #CALLS} calls of
   * {@value #MESSAGES_PER_CALL} messages), for benchmarks that compare other readers of the same
   * stream.
   *
   * @return a new array
   */
  public static byte[] sampleBatch() {
    YatePathBenchmark b = new YatePathBenchmark();
    b.buildBatch();
    return b.batch;
  }

  /** Builds the batch once and records where each call's 10-digit number sits. */
  private void buildBatch() {
    StringBuilder sb = new StringBuilder(CALLS * 1500);
    int[] at = new int[CALLS * 32];
    int[] of = new int[at.length];
    int n = 0;
    for (int i = 0; i < CALLS; i++) {
      for (String line : MESSAGES) {
        for (int k = 0; k < line.length(); k++) {
          char c = line.charAt(k);
          if (c == '#') {
            at[n] = sb.length();
            of[n] = i;
            n++;
            sb.append("0".repeat(DIGITS));
          } else {
            sb.append(c);
          }
        }
        sb.append('\n');
      }
    }
    batch = sb.toString().getBytes(StandardCharsets.US_ASCII);
    numberAt = Arrays.copyOf(at, n);
    callOf = Arrays.copyOf(of, n);
  }

  /** Gives the batch's calls numbers no earlier batch used (not measured, allocation-free). */
  @Setup(Level.Invocation)
  public void nextBatch() {
    long base = ++batches * CALLS;
    for (int i = 0; i < numberAt.length; i++) {
      long v = base + callOf[i];
      int at = numberAt[i];
      for (int k = DIGITS - 1; k >= 0; k--) {
        batch[at + k] = (byte) ('0' + v % 10);
        v /= 10;
      }
    }
  }

  /**
   * Streams one batch and waits until the listener has every event it causes.
   *
   * @return the count, so the work cannot be optimised away
   */
  @Benchmark
  @OperationsPerInvocation(CALLS * MESSAGES_PER_CALL)
  public long socketToListener() {
    cpu.operations(CALLS * MESSAGES_PER_CALL);
    write();
    long deadline = System.nanoTime() + WAIT_LIMIT_NANOS;
    long seen;
    while ((seen = check.delivered()) < target) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "listener saw "
                + seen
                + " of "
                + target
                + " events; dropped: "
                + adapter.metrics().droppedEvents());
      }
      LockSupport.parkNanos(20_000);
    }
    target += perBatch;
    return seen;
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
    System.out.println(
        "\nevents per batch of " + CALLS * MESSAGES_PER_CALL + " messages: " + perBatch);
    System.out.println(check.summary());
    System.out.println(cpu.summary());
    adapter.close();
    server.close();
    check.verify();
  }

  private void write() {
    try {
      synchronized (this) {
        toAdapter.write(batch);
        toAdapter.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A minimal extmodule peer: answers setlocal, install and watch as Yate does; reads (and drops)
   * the adapter's answers to {@code call.route}.
   */
  private void serve() {
    try (Socket s = server.accept()) {
      s.setTcpNoDelay(true);
      OutputStream out = s.getOutputStream();
      toAdapter = out;
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        String reply = replyTo(line);
        if (reply != null) {
          synchronized (this) {
            out.write((reply + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
          }
        }
      }
    } catch (IOException e) {
      // the trial ended
    }
  }

  private static String replyTo(String line) {
    if (line.startsWith("%%>setlocal:")) {
      String[] p = line.substring(12).split(":", -1);
      String value =
          switch (p[0]) {
            case "engine.version" -> "6.4.1";
            case "engine.nodename" -> "bench";
            default -> p.length > 1 ? p[1] : "";
          };
      return "%%<setlocal:" + p[0] + ":" + value + ":true";
    }
    if (line.startsWith("%%>install:")) {
      String[] p = line.substring(11).split(":", -1);
      return "%%<install:" + p[0] + ":" + p[1] + ":true";
    }
    if (line.startsWith("%%>watch:")) {
      return "%%<watch:" + line.substring(9) + ":true";
    }
    return null;
  }
}
