package org.sipadapter.benchmarks.esl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
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
import org.sipadapter.SipAdapterListener;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.freeswitch.FreeSwitchAdapter;

/**
 * The whole path from the socket to a listener: a loopback server streams recorded FreeSWITCH
 * events (an inbound {@code CHANNEL_CREATE} and its {@code CHANNEL_HANGUP_COMPLETE} per call, with
 * fresh UUIDs) to a connected {@link FreeSwitchAdapter}; an operation ends when the listener has
 * seen every resulting event ({@code IncomingCall}, RINGING, the terminal state). Scores are ESL
 * events per second; the reader thread, the adapter's event thread and core's dispatcher all run.
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
  private static final int CALLS = 500;
  private static final String PLACEHOLDER = "00000000-0000-4000-8000-00000000beef";

  private ServerSocket server;
  private volatile OutputStream toAdapter;
  private FreeSwitchAdapter adapter;
  private final AtomicReference<CountDownLatch> delivered = new AtomicReference<>();
  private String createTemplate;
  private String hangupTemplate;
  private byte[] batch;

  /** Starts the loopback server, connects the adapter, loads the event templates. */
  @Setup(Level.Trial)
  public void start() throws Exception {
    EslEventStream stream = EslEventStream.load();
    createTemplate = template(stream.first("CHANNEL_CREATE"));
    hangupTemplate = template(stream.first("CHANNEL_HANGUP_COMPLETE"));
    server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::serve, "bench-esl-server");
    accept.setDaemon(true);
    accept.start();
    adapter =
        new FreeSwitchAdapter(
            AdapterConfig.builder(FreeSwitchAdapter.TYPE)
                .name("bench")
                .server(server.getInetAddress().getHostAddress(), server.getLocalPort())
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
    adapter.connect();
  }

  /** The recorded event, made inbound, with its channel UUID replaced by a placeholder. */
  private static String template(byte[] frame) {
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

  private static void append(StringBuilder out, String template, String uuid) {
    String body = template.replace(PLACEHOLDER, uuid);
    out.append("Content-Length: ")
        .append(body.getBytes(StandardCharsets.UTF_8).length)
        .append("\nContent-Type: text/event-plain\n\n")
        .append(body);
  }

  /** Builds the next batch with fresh call UUIDs (not measured). */
  @Setup(Level.Invocation)
  public void nextBatch() {
    StringBuilder sb = new StringBuilder(CALLS * 2 * 3000);
    for (int i = 0; i < CALLS; i++) {
      String uuid = UUID.randomUUID().toString();
      append(sb, createTemplate, uuid);
      append(sb, hangupTemplate, uuid);
    }
    batch = sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Streams one batch and waits until the listener has every event it causes. */
  @Benchmark
  @OperationsPerInvocation(CALLS * 2)
  public void socketToListener() throws Exception {
    CountDownLatch latch = new CountDownLatch(CALLS * 3);
    delivered.set(latch);
    synchronized (this) {
      toAdapter.write(batch);
      toAdapter.flush();
    }
    if (!latch.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("listener got " + (CALLS * 3 - latch.getCount()) + " events");
    }
  }

  /** Closes the adapter and the server. */
  @TearDown(Level.Trial)
  public void stop() throws IOException {
    adapter.close();
    server.close();
  }

  /** A minimal event socket: greeting, +OK for every command, a status body for api status. */
  private void serve() {
    try (Socket s = server.accept()) {
      OutputStream out = s.getOutputStream();
      toAdapter = out;
      InputStream in = s.getInputStream();
      synchronized (this) {
        out.write("Content-Type: auth/request\n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      StringBuilder command = new StringBuilder();
      int b;
      int prev = -1;
      while ((b = in.read()) >= 0) {
        if (b == '\n' && prev == '\n') {
          reply(out, command.toString().strip());
          command.setLength(0);
        } else {
          command.append((char) b);
        }
        prev = b;
      }
    } catch (IOException e) {
      // the trial ended
    }
  }

  private synchronized void reply(OutputStream out, String command) throws IOException {
    String text;
    if (command.startsWith("api ")) {
      String body =
          command.startsWith("api status")
              ? "UP 0 years\nFreeSWITCH (Version 1.10.12-release  64bit) is ready\n"
              : "+OK\n";
      text = "Content-Type: api/response\nContent-Length: " + body.length() + "\n\n" + body;
    } else {
      text = "Content-Type: command/reply\nReply-Text: +OK\n\n";
    }
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }
}
