package org.sipadapter.sipp.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One supervised sipp process and what is known about it.
 *
 * <p>Thread-safety: the trace reader and the tracker are used only by the supervisor's trace
 * thread; the tracker's results are read under this object's lock; state fields are volatile.
 */
public final class SippRun {

  final String id;
  final RunSpec spec;
  final Scenario scenario;
  final Path dir;
  final Process process;
  final int localPort;
  final int controlPort;
  final InetAddress sipAddress;
  final long startedAt = System.currentTimeMillis();
  final MessageTraceReader trace;
  private final DialogTracker tracker = new DialogTracker();
  private final Set<String> hangupSent = ConcurrentHashMap.newKeySet();
  final AtomicBoolean stopping = new AtomicBoolean();
  final CompletableFuture<Void> finished = new CompletableFuture<>();

  volatile RunState state = RunState.RUNNING;
  volatile boolean stopRequested;
  volatile Long endedAt;
  volatile Integer exitCode;
  volatile Verdict verdict;
  volatile StatCsv.RunStats finalStats;

  SippRun(
      String id,
      RunSpec spec,
      Scenario scenario,
      Path dir,
      Process process,
      int localPort,
      int controlPort,
      InetAddress sipAddress,
      boolean traced) {
    this.id = id;
    this.spec = spec;
    this.scenario = scenario;
    this.dir = dir;
    this.process = process;
    this.localPort = localPort;
    this.controlPort = controlPort;
    this.sipAddress = sipAddress;
    this.trace = traced ? new MessageTraceReader(dir.resolve("messages.log")) : null;
  }

  /** Feeds traced messages to the tracker; returns the state changes. Trace thread only. */
  List<CallProgress> apply(List<TracedMessage> messages) {
    List<CallProgress> changes = new ArrayList<>();
    synchronized (this) {
      for (TracedMessage m : messages) {
        CallProgress c = tracker.apply(m);
        if (c != null) {
          changes.add(c);
        }
      }
    }
    return changes;
  }

  /** The latest stat row (the final one once ended). */
  StatCsv.RunStats stats() {
    StatCsv.RunStats done = finalStats;
    if (done != null) {
      return done;
    }
    return readStats();
  }

  StatCsv.RunStats readStats() {
    Path file = dir.resolve("stat.csv");
    try {
      return Files.isRegularFile(file)
          ? StatCsv.parse(Files.readAllBytes(file)).summary()
          : StatCsv.EMPTY.summary();
    } catch (IOException e) {
      return StatCsv.EMPTY.summary();
    }
  }

  /** Sends a datagram to SIPp's control socket: a hot key, or {@code c<command>}. */
  void control(String datagram) {
    byte[] bytes = datagram.getBytes(StandardCharsets.US_ASCII);
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.send(
          new DatagramPacket(
              bytes,
              bytes.length,
              new InetSocketAddress(InetAddress.getLoopbackAddress(), controlPort)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Asks each active call of a {@code call} run to hang up: an in-dialog INFO to SIPp's own SIP
   * port makes the scenario send CANCEL (ringing) or BYE (answered). UDP only.
   *
   * @return how many calls were asked
   */
  int requestHangups() {
    if (!ScenarioStore.CALL.equals(scenario.name()) || "tcp".equals(spec.transport())) {
      return 0;
    }
    List<CallProgress> active;
    synchronized (this) {
      active = tracker.activeCalls();
    }
    int asked = 0;
    try (DatagramSocket socket = new DatagramSocket()) {
      for (CallProgress c : active) {
        if (!"outbound".equals(c.direction()) || !hangupSent.add(c.callId())) {
          continue;
        }
        byte[] info = hangupInfo(c, socket.getLocalPort());
        socket.send(
            new DatagramPacket(info, info.length, new InetSocketAddress(sipAddress, localPort)));
        asked++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return asked;
  }

  private byte[] hangupInfo(CallProgress c, int sourcePort) {
    String host = sipAddress.getHostAddress();
    // Addressed as the far end would: From is the far end (its To with tag), To is SIPp's From.
    String farEnd = c.remoteTo() != null ? c.remoteTo() : c.to();
    String text =
        "INFO sip:sipp@"
            + host
            + ":"
            + localPort
            + " SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP "
            + host
            + ":"
            + sourcePort
            + ";branch=z9hG4bK-agent-"
            + UUID.randomUUID()
            + "\r\n"
            + "From: "
            + farEnd
            + "\r\n"
            + "To: "
            + c.from()
            + "\r\n"
            + "Call-ID: "
            + c.callId()
            + "\r\n"
            + "CSeq: 100 INFO\r\n"
            + "Max-Forwards: 70\r\n"
            + "Content-Length: 0\r\n\r\n";
    for (String value : new String[] {farEnd, c.from(), c.callId()}) {
      if (value == null || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
        throw new IllegalStateException("traced header unusable for the hangup request");
      }
    }
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A view for JSON. */
  RunView view(boolean detail) {
    List<CallProgress> calls = null;
    if (detail) {
      synchronized (this) {
        List<CallProgress> all = new ArrayList<>(tracker.calls());
        calls = all.size() > 100 ? all.subList(all.size() - 100, all.size()) : all;
      }
    }
    return new RunView(
        id,
        scenario.name(),
        scenario.role(),
        state,
        process.pid(),
        localPort,
        controlPort,
        startedAt,
        endedAt,
        exitCode,
        verdict,
        stopRequested,
        spec,
        stats(),
        calls);
  }

  /** The end of one of the run's files, at most {@code cap} bytes. */
  String tail(String file, int cap) {
    Path path = dir.resolve(file);
    if (!Files.isRegularFile(path)) {
      return "";
    }
    try (InputStream in = Files.newInputStream(path)) {
      long size = Files.size(path);
      if (size > cap) {
        in.skipNBytes(size - cap);
      }
      return new String(in.readNBytes(cap), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return "";
    }
  }

  /** The size of one of the run's files (0 if absent). */
  long size(String file) {
    try {
      Path path = dir.resolve(file);
      return Files.isRegularFile(path) ? Files.size(path) : 0;
    } catch (IOException e) {
      return 0;
    }
  }
}
