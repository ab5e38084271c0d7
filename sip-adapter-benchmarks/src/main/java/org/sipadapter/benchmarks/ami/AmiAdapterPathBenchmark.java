package org.sipadapter.benchmarks.ami;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import org.sipadapter.asterisk.AsteriskAdapter;
import org.sipadapter.benchmarks.path.CpuMeter;
import org.sipadapter.benchmarks.path.OrderCheck;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.EventSettings;
import org.sipadapter.config.Timeouts;

/**
 * The whole inbound path of the Asterisk adapter: {@value #EVENTS} real Asterisk 22 events (the
 * fixtures', repeated) written to a loopback socket, read by the adapter's reader thread, decoded,
 * mapped to call states (incoming calls, state changes, terminal events, raw server events), passed
 * through core's dispatcher and counted by a listener on the dispatcher's threads. One operation is
 * one AMI event in; an invocation ends when the listener has seen every unified event the batch
 * produces. The listener ({@link OrderCheck}) also checks per-call order and that nothing follows a
 * call's terminal event.
 *
 * <p>Unlike {@link AmiDecodeBenchmark} this includes the TCP loopback, the thread hand-offs and
 * core's call tracking, so it is the figure a user sees. {@code gc.alloc.rate.norm} counts what
 * every thread allocates per AMI event: the reader, the dispatcher's lanes and the event records
 * the listener receives.
 *
 * <p>Run: {@code java -jar sip-adapter-benchmarks/target/benchmarks.jar AmiAdapterPathBenchmark
 * -prof gc} from the repository root.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
public class AmiAdapterPathBenchmark {

  /** AMI events per invocation. */
  /** AMI events per batch. */
  public static final int EVENTS = 2000;

  private static final long WAIT_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final OrderCheck check = new OrderCheck();
  private final CpuMeter cpu = new CpuMeter();
  private byte[] bytes;
  private ServerSocket server;
  private Socket peer;
  private OutputStream toAdapter;
  private AsteriskAdapter adapter;
  private long perBatch;
  private long target;

  /**
   * Starts a minimal AMI server, connects the adapter to it and measures how many unified events
   * one batch yields once call tracking is in its steady state.
   *
   * @throws Exception if the loopback link cannot be set up
   */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    bytes = AmiEventStream.load(EVENTS).bytes();
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread acceptor = new Thread(this::serveLogin, "bench-ami-server");
    acceptor.setDaemon(true);
    acceptor.start();
    adapter =
        new AsteriskAdapter(
            AdapterConfig.builder("asterisk")
                .name("bench")
                .server("127.0.0.1", server.getLocalPort())
                .auth("bench", "bench")
                .timeouts(
                    new Timeouts(
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(5),
                        Duration.ofMinutes(10),
                        Duration.ofMinutes(10)))
                .events(new EventSettings(2, 1_000_000, Duration.ofSeconds(1)))
                .build());
    adapter.addListener(check);
    adapter.connect();
    acceptor.join(5000);
    // The first batches open calls that later batches find again (same Uniqueids): run until two
    // batches in a row deliver the same number of events.
    long previous = -1;
    for (int i = 0; i < 20; i++) {
      long before = check.settle();
      write();
      long now = check.settle() - before;
      if (now == previous) {
        perBatch = now;
        break;
      }
      previous = now;
    }
    if (perBatch == 0) {
      throw new IllegalStateException("event count per batch did not settle");
    }
    target = check.delivered();
  }

  /**
   * Writes one batch and waits until the listener has counted its events.
   *
   * @return the count, so the work cannot be optimised away
   */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public long adapterToListener() {
    cpu.operations(EVENTS);
    target += perBatch;
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
  public void tearDown() throws IOException {
    System.out.println("\n" + check.summary());
    System.out.println(cpu.summary());
    System.out.println(
        "\nunified events per batch of "
            + EVENTS
            + " AMI events: "
            + perBatch
            + "; dropped: "
            + adapter.metrics().droppedEvents());
    adapter.close();
    peer.close();
    server.close();
    check.verify();
  }

  private void write() {
    try {
      toAdapter.write(bytes);
      toAdapter.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Accepts the adapter, answers its Login, then only drains what it sends. */
  private void serveLogin() {
    try {
      peer = server.accept();
      peer.setTcpNoDelay(true);
      toAdapter = peer.getOutputStream();
      InputStream in = peer.getInputStream();
      toAdapter.write("Asterisk Call Manager/11.0.0\r\n".getBytes(StandardCharsets.US_ASCII));
      String login = readPacket(in);
      int at = login.indexOf("ActionID: ");
      String actionId = login.substring(at + 10, login.indexOf('\r', at));
      toAdapter.write(
          ("Response: Success\r\nActionID: "
                  + actionId
                  + "\r\nMessage: Authentication accepted\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      toAdapter.flush();
      Thread drain =
          new Thread(
              () -> {
                byte[] sink = new byte[4096];
                try {
                  while (in.read(sink) >= 0) {
                    // Logoff and Ping go unanswered; the adapter does not wait long for them.
                  }
                } catch (IOException ignored) {
                  // the benchmark is over
                }
              },
              "bench-ami-drain");
      drain.setDaemon(true);
      drain.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String readPacket(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      sb.append((char) c);
      if (sb.length() >= 4 && sb.lastIndexOf("\r\n\r\n") == sb.length() - 4) {
        break;
      }
    }
    return sb.toString();
  }
}
