package org.sipadapter.benchmarks.ami;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.asteriskjava.manager.internal.CountingDispatcher;
import org.asteriskjava.manager.internal.ManagerReaderImpl;
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
import org.openjdk.jmh.infra.Blackhole;
import org.sipadapter.asterisk.AmiEventMapper;
import org.sipadapter.asterisk.ami.AmiFrame;
import org.sipadapter.asterisk.ami.AmiFrameDecoder;
import org.sipadapter.transport.FrameSink;

/**
 * AMI event throughput: the bytes of {@value #EVENTS} real Asterisk 22 events (the fixtures'
 * events, repeated) in, typed events out, on one thread. One operation is one event, so the
 * throughput score is events per second and {@code gc.alloc.rate.norm} is bytes per event.
 *
 * <ul>
 *   <li>{@code sipAdapterDecodeAndMap}: {@link AmiFrameDecoder} fed in 8 KiB reads, each frame
 *       mapped by {@link AmiEventMapper} to a call signal.
 *   <li>{@code sipAdapterDecodeOnly}: the decoder alone (frames built, nothing read from them).
 *   <li>{@code asteriskJavaReader}: asterisk-java 3.41.0's {@code ManagerReaderImpl} reading the
 *       same bytes and building its event objects; the operation ends when its event pump has
 *       handed the last event over.
 * </ul>
 *
 * <p>Run: {@code java -jar sip-adapter-benchmarks/target/benchmarks.jar AmiDecodeBenchmark -prof
 * gc} (the recordings come from the testkit's fixtures on the class path).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
public class AmiDecodeBenchmark {

  /** Events per operation batch. */
  static final int EVENTS = 2000;

  private static final int READ_SIZE = 8192;

  private byte[] bytes;
  private final AmiFrameDecoder decoder = new AmiFrameDecoder();
  private final AmiEventMapper mapper = new AmiEventMapper();
  private ByteBuffer buffer;

  private AsteriskJavaLineSource lineSource;
  private ManagerReaderImpl reader;
  private CountingDispatcher dispatcher;

  /**
   * Loads the fixture events and prepares both readers.
   *
   * @param blackhole receives asterisk-java's events on its pump thread
   */
  @Setup(Level.Trial)
  public void setUp(Blackhole blackhole) {
    AmiEventStream stream = AmiEventStream.load(EVENTS);
    bytes = stream.bytes();
    buffer = ByteBuffer.wrap(bytes);
    lineSource = new AsteriskJavaLineSource(bytes);
    dispatcher = new CountingDispatcher(blackhole::consume);
    reader = new ManagerReaderImpl(dispatcher, this);
    reader.setSocket(lineSource);
  }

  /** Stops asterisk-java's reader. */
  @TearDown(Level.Trial)
  public void tearDown() {
    reader.die();
  }

  /**
   * Ours: decode and map.
   *
   * @param blackhole consumes each signal
   */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public void sipAdapterDecodeAndMap(Blackhole blackhole) {
    FrameSink<AmiFrame> sink =
        new FrameSink<>() {
          @Override
          public void frame(AmiFrame frame) {
            blackhole.consume(mapper.map(frame));
          }

          @Override
          public void malformed(String reason) {
            blackhole.consume(reason);
          }
        };
    feed(sink);
  }

  /**
   * Ours: decode only.
   *
   * @param blackhole consumes each frame
   */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public void sipAdapterDecodeOnly(Blackhole blackhole) {
    FrameSink<AmiFrame> sink =
        new FrameSink<>() {
          @Override
          public void frame(AmiFrame frame) {
            blackhole.consume(frame);
          }

          @Override
          public void malformed(String reason) {
            blackhole.consume(reason);
          }
        };
    feed(sink);
  }

  private void feed(FrameSink<AmiFrame> sink) {
    for (int pos = 0; pos < bytes.length; pos += READ_SIZE) {
      buffer.limit(Math.min(bytes.length, pos + READ_SIZE)).position(pos);
      decoder.decode(buffer, sink);
    }
    buffer.clear();
  }

  /** asterisk-java 3.41.0: {@code ManagerReaderImpl} building its event objects. */
  @Benchmark
  @OperationsPerInvocation(EVENTS)
  public void asteriskJavaReader() {
    int target = dispatcher.events() + EVENTS;
    lineSource.rewind();
    reader.run();
    while (dispatcher.events() < target) {
      Thread.onSpinWait();
    }
  }
}
