package org.sipadapter.benchmarks.yate;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.sipadapter.transport.FrameSink;
import org.sipadapter.yate.extmodule.ExtFrame;
import org.sipadapter.yate.extmodule.ExtFrameDecoder;

/**
 * extmodule decoding alone, on one thread: the messages {@link YatePathBenchmark} streams (an
 * inbound call's {@code call.route}, {@code call.execute}, {@code call.answered} and two {@code
 * chan.hangup}, {@value #CALLS} calls), decoded from 64 KiB reads into frames with every field and
 * parameter as a string. One operation is one message, so the score compares with the path
 * benchmark's and {@code gc.alloc.rate.norm} is bytes per message.
 *
 * <pre>
 * java -jar sip-adapter-benchmarks/target/benchmarks.jar yate.YateDecodeBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
public class YateDecodeBenchmark {
  static final int CALLS = 400;
  private static final int READ_SIZE = 64 * 1024;

  private byte[] bytes;

  /** Builds the stream once, each call with a number of its own. */
  @Setup(Level.Trial)
  public void setUp() {
    StringBuilder sb = new StringBuilder(CALLS * 1500);
    for (int i = 0; i < CALLS; i++) {
      String number = String.format("%010d", i);
      for (String message : YatePathBenchmark.MESSAGES) {
        sb.append(message.replace("#", number)).append('\n');
      }
    }
    bytes = sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Decodes the stream with a new decoder (its buffers counted too).
   *
   * @param blackhole consumes each frame
   */
  @Benchmark
  @OperationsPerInvocation(CALLS * 5)
  public void sipAdapterDecode(Blackhole blackhole) {
    FrameSink<ExtFrame> sink =
        new FrameSink<>() {
          @Override
          public void frame(ExtFrame frame) {
            blackhole.consume(frame);
          }

          @Override
          public void malformed(String reason) {
            throw new IllegalStateException(reason);
          }
        };
    ExtFrameDecoder decoder = new ExtFrameDecoder();
    for (int p = 0; p < bytes.length; p += READ_SIZE) {
      decoder.decode(ByteBuffer.wrap(bytes, p, Math.min(READ_SIZE, bytes.length - p)), sink);
    }
  }
}
