package org.sipadapter.benchmarks.path;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.sipadapter.benchmarks.ami.AmiAdapterPathBenchmark;
import org.sipadapter.benchmarks.ami.AmiEventStream;
import org.sipadapter.benchmarks.esl.EslListenerPathBenchmark;
import org.sipadapter.benchmarks.yate.YatePathBenchmark;

/**
 * The ceiling of the socket-to-listener benchmarks: the same batches they stream, written the same
 * way on the same loopback link, read by a thread that only counts the bytes (64 KiB reads, as the
 * adapters' reader threads do). Scores are events (messages for extmodule) per second, so each is
 * the rate no adapter can pass on this machine with these events, whatever it does with them: on
 * two cores the writer, the kernel's copy and the reader already share the CPU here.
 *
 * <pre>
 * java -jar sip-adapter-benchmarks/target/benchmarks.jar path.SocketCeilingBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class SocketCeilingBenchmark {
  private static final int READ_BUFFER = 64 * 1024;
  private static final long WAIT_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final AtomicLong read = new AtomicLong();
  private ServerSocket server;
  private Socket writer;
  private Socket reader;
  private OutputStream out;
  private Thread counter;
  private byte[] ami;
  private byte[] esl;
  private byte[] yate;
  private long target;

  /** Loads the three batches and opens the loopback link. */
  @Setup(Level.Trial)
  public void start() throws IOException {
    ami = AmiEventStream.load(AmiAdapterPathBenchmark.EVENTS).bytes();
    esl = EslListenerPathBenchmark.sampleBatch();
    yate = YatePathBenchmark.sampleBatch();
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    reader = new Socket(server.getInetAddress(), server.getLocalPort());
    writer = server.accept();
    out = writer.getOutputStream();
    counter = new Thread(this::count, "bench-ceiling-reader");
    counter.setDaemon(true);
    counter.start();
  }

  /** One AMI batch ({@value AmiAdapterPathBenchmark#EVENTS} events). */
  @Benchmark
  @OperationsPerInvocation(AmiAdapterPathBenchmark.EVENTS)
  public long ami() throws IOException {
    return stream(ami);
  }

  /** One ESL batch ({@value EslListenerPathBenchmark#CALLS} calls, two events each). */
  @Benchmark
  @OperationsPerInvocation(EslListenerPathBenchmark.CALLS * 2)
  public long esl() throws IOException {
    return stream(esl);
  }

  /** One extmodule batch, counted in messages. */
  @Benchmark
  @OperationsPerInvocation(YatePathBenchmark.CALLS * YatePathBenchmark.MESSAGES_PER_CALL)
  public long yate() throws IOException {
    return stream(yate);
  }

  /** Closes the link. */
  @TearDown(Level.Trial)
  public void stop() throws IOException {
    writer.close();
    reader.close();
    server.close();
  }

  private long stream(byte[] batch) throws IOException {
    target += batch.length;
    out.write(batch);
    out.flush();
    long deadline = System.nanoTime() + WAIT_LIMIT_NANOS;
    long seen;
    while ((seen = read.get()) < target) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("reader counted " + seen + " of " + target + " bytes");
      }
      LockSupport.parkNanos(20_000);
    }
    return seen;
  }

  private void count() {
    byte[] buf = new byte[READ_BUFFER];
    try (InputStream in = reader.getInputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        read.addAndGet(n);
      }
    } catch (IOException e) {
      // the link was closed at the end of the trial
    }
  }
}
