package org.sipadapter.benchmarks.esl;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.freeswitch.esl.client.transport.event.EslEvent;
import org.freeswitch.esl.client.transport.message.EslFrameDecoder;
import org.freeswitch.esl.client.transport.message.EslMessage;
import org.jboss.netty.buffer.ChannelBuffers;
import org.jboss.netty.handler.codec.embedder.DecoderEmbedder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.sipadapter.freeswitch.ChannelEventMapper;
import org.sipadapter.freeswitch.esl.EslFrame;
import org.sipadapter.transport.FrameSink;

/**
 * ESL event throughput: the same byte stream (the recorded plain events of the fixtures, fed in 16
 * KiB reads as a socket would deliver them) through this project's decoder and through the {@code
 * org.freeswitch.esl.client} 0.9.2 decoder with its {@code EslEvent} header parsing.
 *
 * <p>Scores are per event ({@code @OperationsPerInvocation} is the event count, set at run time
 * through {@code opsPerEvent}); run with {@code -prof gc} for bytes allocated per event ({@code
 * gc.alloc.rate.norm}). No thread hand-off is measured: the adapter's path to a listener adds a
 * queue, reported separately.
 *
 * <pre>
 * java -jar sip-adapter-benchmarks/target/benchmarks.jar 'esl.EslDecodeBenchmark' -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class EslDecodeBenchmark {
  private static final int READ_SIZE = 16 * 1024;

  private byte[][] reads;
  private byte[] whole;
  private int events;

  /** Loads the fixture events and cuts the stream into socket-sized reads. */
  @Setup(Level.Trial)
  public void load() {
    EslEventStream stream = EslEventStream.load();
    events = stream.events;
    whole = stream.bytes;
    int n = (stream.bytes.length + READ_SIZE - 1) / READ_SIZE;
    reads = new byte[n][];
    for (int i = 0; i < n; i++) {
      int from = i * READ_SIZE;
      int to = Math.min(stream.bytes.length, from + READ_SIZE);
      reads[i] = java.util.Arrays.copyOfRange(stream.bytes, from, to);
    }
    if (events != EVENTS) {
      throw new IllegalStateException(
          "fixture stream has " + events + " plain events, the benchmark declares " + EVENTS);
    }
  }

  /** Number of plain events in the fixture stream; checked at setup. */
  static final int EVENTS = 134;

  /**
   * A decoder set up as the adapter's is: event bodies in reused buffers, each frame released once
   * handled (a new decoder per invocation, so its buffers are counted too).
   */
  private static org.sipadapter.freeswitch.esl.EslFrameDecoder adapterDecoder() {
    return new org.sipadapter.freeswitch.esl.EslFrameDecoder(
        org.sipadapter.freeswitch.esl.EslFrameDecoder.DEFAULT_MAX_HEADER_BYTES,
        org.sipadapter.freeswitch.esl.EslFrameDecoder.DEFAULT_MAX_BODY_BYTES,
        64);
  }

  /**
   * This project: frame decoding, then {@link ChannelEventMapper} reading the headers call tracking
   * needs (URL-decoded on demand).
   */
  @Benchmark
  @org.openjdk.jmh.annotations.OperationsPerInvocation(EVENTS)
  public void sipAdapterDecodeAndMap(Blackhole bh) {
    org.sipadapter.freeswitch.esl.EslFrameDecoder decoder = adapterDecoder();
    FrameSink<EslFrame> sink =
        new FrameSink<EslFrame>() {
          @Override
          public void frame(EslFrame frame) {
            bh.consume(ChannelEventMapper.map(frame.event()));
            frame.release();
          }

          @Override
          public void malformed(String reason) {
            throw new IllegalStateException(reason);
          }
        };
    for (byte[] read : reads) {
      decoder.decode(ByteBuffer.wrap(read), sink);
    }
  }

  /** This project: frame decoding and the event name only. */
  @Benchmark
  @org.openjdk.jmh.annotations.OperationsPerInvocation(EVENTS)
  public void sipAdapterDecodeOnly(Blackhole bh) {
    org.sipadapter.freeswitch.esl.EslFrameDecoder decoder = adapterDecoder();
    FrameSink<EslFrame> sink =
        new FrameSink<EslFrame>() {
          @Override
          public void frame(EslFrame frame) {
            bh.consume(frame.event().name());
            frame.release();
          }

          @Override
          public void malformed(String reason) {
            throw new IllegalStateException(reason);
          }
        };
    for (byte[] read : reads) {
      decoder.decode(ByteBuffer.wrap(read), sink);
    }
  }

  /**
   * {@code org.freeswitch.esl.client} 0.9.2: its netty frame decoder, then {@code EslEvent} (which
   * parses and URL-decodes every event header), reading the same headers as the mapper.
   */
  @Benchmark
  @org.openjdk.jmh.annotations.OperationsPerInvocation(EVENTS)
  public void eslClientDecodeAndParse(Blackhole bh) {
    DecoderEmbedder<EslMessage> embedder = new DecoderEmbedder<>(new EslFrameDecoder(8192));
    for (byte[] read : reads) {
      embedder.offer(ChannelBuffers.wrappedBuffer(read));
      EslMessage message;
      while ((message = embedder.poll()) != null) {
        EslEvent event = new EslEvent(message);
        bh.consume(event.getEventName());
        bh.consume(event.getEventHeaders().get("Unique-ID"));
        bh.consume(event.getEventHeaders().get("Hangup-Cause"));
      }
    }
  }

  /**
   * {@code org.freeswitch.esl.client} 0.9.2 given the whole stream in one buffer: its best case,
   * since its replaying decoder re-reads a partial frame from the start on every socket read.
   */
  @Benchmark
  @org.openjdk.jmh.annotations.OperationsPerInvocation(EVENTS)
  public void eslClientDecodeAndParseOneBuffer(Blackhole bh) {
    DecoderEmbedder<EslMessage> embedder = new DecoderEmbedder<>(new EslFrameDecoder(8192));
    embedder.offer(ChannelBuffers.wrappedBuffer(whole));
    EslMessage message;
    while ((message = embedder.poll()) != null) {
      EslEvent event = new EslEvent(message);
      bh.consume(event.getEventName());
      bh.consume(event.getEventHeaders().get("Unique-ID"));
      bh.consume(event.getEventHeaders().get("Hangup-Cause"));
    }
  }
}
