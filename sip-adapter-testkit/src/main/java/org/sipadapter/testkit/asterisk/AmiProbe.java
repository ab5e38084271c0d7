package org.sipadapter.testkit.asterisk;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.sipadapter.testkit.ami.AmiMessage;

/**
 * A second, independent AMI client for tests: looks at the server behind an adapter's back ({@code
 * CoreShowChannels}, {@code ConfbridgeList}, {@code Getvar}, ...) and records every event the
 * server sends it, so a test can check the effect of an adapter's action on the server itself.
 *
 * <p>One reader thread parses packets into {@link AmiMessage}s; {@link #action} and {@link #list}
 * wait (with Awaitility, at most the timeout given at connect) for the reply with their own
 * ActionID. Thread-safe.
 */
public final class AmiProbe implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final Duration timeout;
  private final List<AmiMessage> received = new CopyOnWriteArrayList<>();
  private final AtomicLong ids = new AtomicLong();
  private final Thread reader;
  private final String banner;
  private volatile boolean closed;

  private AmiProbe(Socket socket, Duration timeout) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.timeout = timeout;
    InputStream in = new BufferedInputStream(socket.getInputStream());
    this.banner = readLine(in);
    this.reader = new Thread(() -> read(in), "ami-probe-" + socket.getLocalPort());
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Connects and logs in.
   *
   * @param host the AMI host
   * @param port the AMI port
   * @param user the AMI user
   * @param secret its secret
   * @param timeout how long to wait for each reply
   * @return the logged-in probe
   * @throws IllegalStateException if the login is refused
   * @throws UncheckedIOException if the server cannot be reached
   */
  public static AmiProbe connect(
      String host, int port, String user, String secret, Duration timeout) {
    return connect(host, port, user, secret, timeout, true);
  }

  /**
   * Connects and logs in, with or without events. A session with events receives every event of its
   * user's classes and must read them as fast as they come: Asterisk closes a session it cannot
   * write to within its {@code writetimeout} (100 ms by default), which a probe on a loaded machine
   * can miss during a burst. Without events ({@code Events: off} at login) the session receives
   * only the replies to its own actions and their list events.
   *
   * @param host the AMI host
   * @param port the AMI port
   * @param user the AMI user
   * @param secret its secret
   * @param timeout how long to wait for each reply
   * @param events whether the session receives the server's events
   * @return the logged-in probe
   * @throws IllegalStateException if the login is refused
   * @throws UncheckedIOException if the server cannot be reached
   */
  public static AmiProbe connect(
      String host, int port, String user, String secret, Duration timeout, boolean events) {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      AmiProbe probe = new AmiProbe(s, timeout);
      AmiMessage login =
          probe.action(
              AmiMessage.builder()
                  .add("Action", "Login")
                  .add("Username", user)
                  .add("Secret", secret)
                  .add("Events", events ? "on" : "off"));
      if (!login.get("Response", "").equals("Success")) {
        probe.close();
        throw new IllegalStateException(
            "AMI login as " + user + " refused: " + login.get("Message", ""));
      }
      return probe;
    } catch (IOException e) {
      try {
        s.close();
      } catch (IOException ignored) {
        // nothing more to do
      }
      throw new UncheckedIOException("cannot reach AMI at " + host + ":" + port, e);
    }
  }

  /** The banner line, such as {@code Asterisk Call Manager/11.0.0}. */
  public String banner() {
    return banner;
  }

  /**
   * Sends an action and waits for its reply (the {@code Response} packet with its ActionID).
   *
   * @param action the action's headers; an ActionID is added
   * @return the reply
   */
  public AmiMessage action(AmiMessage.Builder action) {
    String id = send(action);
    return await(m -> m.get("Response").isPresent() && id.equals(m.get("ActionID", "")));
  }

  /**
   * Sends a list action ({@code CoreShowChannels}, {@code ConfbridgeList}, {@code Status}, ...) and
   * waits for its closing event.
   *
   * @param action the action's headers; an ActionID is added
   * @return the reply followed by every event of the list (the closing one last); only the reply
   *     when it is an error
   */
  public List<AmiMessage> list(AmiMessage.Builder action) {
    String id = send(action);
    AmiMessage reply =
        await(m -> m.get("Response").isPresent() && id.equals(m.get("ActionID", "")));
    List<AmiMessage> all = new ArrayList<>();
    all.add(reply);
    if (!reply.get("Response", "").equals("Success")) {
      return all;
    }
    await(m -> id.equals(m.get("ActionID", "")) && m.get("EventList", "").equals("Complete"));
    for (AmiMessage m : received) {
      if (id.equals(m.get("ActionID", "")) && m.get("Event").isPresent()) {
        all.add(m);
      }
    }
    // A list is read once: kept, it would slow every later await of a probe polled in a loop.
    received.removeIf(m -> id.equals(m.get("ActionID", "")));
    return all;
  }

  /**
   * The channels Asterisk has now ({@code CoreShowChannels}).
   *
   * @return one {@code CoreShowChannel} event per channel
   */
  public List<AmiMessage> channels() {
    List<AmiMessage> all = list(AmiMessage.builder().add("Action", "CoreShowChannels"));
    return all.stream().filter(m -> m.get("Event", "").equals("CoreShowChannel")).toList();
  }

  /**
   * Waits until an event (or any packet) the probe received matches.
   *
   * @param match the condition
   * @return the first matching packet
   */
  public AmiMessage await(Predicate<AmiMessage> match) {
    return Awaitility.await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> first(match), m -> m != null);
  }

  /**
   * Every packet received so far, replies and events, in order.
   *
   * @return a snapshot
   */
  public List<AmiMessage> received() {
    return List.copyOf(received);
  }

  /**
   * The events received so far with this name.
   *
   * @param event the event name, such as {@code Cdr}
   * @return them, in order
   */
  public List<AmiMessage> events(String event) {
    return received.stream().filter(m -> m.get("Event", "").equalsIgnoreCase(event)).toList();
  }

  /** Forgets every packet received so far, so later {@link #await}s see only what comes next. */
  public void clear() {
    received.clear();
  }

  private AmiMessage first(Predicate<AmiMessage> match) {
    for (AmiMessage m : received) {
      if (match.test(m)) {
        return m;
      }
    }
    if (closed) {
      throw new IllegalStateException("AMI probe connection closed");
    }
    return null;
  }

  private String send(AmiMessage.Builder action) {
    Objects.requireNonNull(action, "action");
    String id = "probe-" + ids.incrementAndGet();
    byte[] bytes = action.add("ActionID", id).build().toBytes();
    synchronized (out) {
      try {
        out.write(bytes);
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("AMI probe cannot send", e);
      }
    }
    return id;
  }

  private void read(InputStream in) {
    try {
      StringBuilder packet = new StringBuilder();
      String line;
      while ((line = readLine(in)) != null) {
        if (line.isEmpty()) {
          if (packet.length() > 0) {
            received.add(AmiMessage.parse(packet.toString().getBytes(StandardCharsets.UTF_8)));
            packet.setLength(0);
          }
        } else {
          packet.append(line).append("\r\n");
        }
      }
    } catch (IOException e) {
      // closed
    } finally {
      closed = true;
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      line.write(b);
    }
    if (b < 0 && line.size() == 0) {
      return null;
    }
    String s = line.toString(StandardCharsets.UTF_8);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  /**
   * Whether the server closed the connection (or {@link #close()} was called).
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return closed;
  }

  /** Logs off and closes the socket. */
  @Override
  public void close() {
    if (!closed) {
      try {
        send(AmiMessage.builder().add("Action", "Logoff"));
      } catch (UncheckedIOException ignored) {
        // already gone
      }
    }
    closed = true;
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing more to do
    }
  }
}
