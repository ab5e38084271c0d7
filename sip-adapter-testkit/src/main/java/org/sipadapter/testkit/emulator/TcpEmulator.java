package org.sipadapter.testkit.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP server on loopback for line- or frame-based protocols, on which protocol emulators (AMI,
 * ESL, Yate extmodule, ...) are built.
 *
 * <p>It accepts connections, gives each one its own {@link SessionHandler} (created by the factory
 * passed to the constructor, or by an overriding {@link #newHandler(EmulatorSession)}), splits the
 * client's bytes into frames with a {@link FrameSplitter}, and records every frame for assertions.
 * On top of the handler's logic a test can {@linkplain #when script replies}, {@linkplain #push
 * push} server events, and inject faults: {@link #dropAll()}, {@link #stall()}/{@link #resume()},
 * {@link #injectGarbage()}, {@link #injectHugeFrame(int)}.
 *
 * <pre>{@code
 * try (TcpEmulator echo = new TcpEmulator("echo", FrameSplitter.lines(),
 *         session -> (s, frame) -> s.send(frame.bytes())).start()) {
 *   connectTo(echo.host(), echo.port());
 * }
 * }</pre>
 *
 * <p>Threading: one daemon accept thread and one daemon reader thread per connection, named {@code
 * emulator-<name>-...}; handler calls for one connection are serialised. Every public method is
 * thread-safe. {@link #close()} closes every socket and returns within about a second.
 */
public class TcpEmulator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TcpEmulator.class);
  private static final long CLOSE_JOIN_MILLIS = 1_000;

  /** Default limit for one client frame; a client exceeding it is disconnected. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

  private final String name;
  private final FrameSplitter splitter;
  private final Function<EmulatorSession, SessionHandler> handlers;
  private final Set<EmulatorSession> sessions = ConcurrentHashMap.newKeySet();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final List<Frame> received = new CopyOnWriteArrayList<>();
  private final List<Throwable> handlerErrors = new CopyOnWriteArrayList<>();
  private final List<Script> scripts = new CopyOnWriteArrayList<>();
  private final AtomicLong sessionSeq = new AtomicLong();
  private final AtomicLong acceptedTotal = new AtomicLong();
  private volatile int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
  private volatile SSLContext tlsContext;
  private volatile ServerSocket serverSocket;
  private volatile boolean stalled;
  private volatile boolean closed;
  private volatile boolean lateInputOfClosedConnections;
  private final Set<EmulatorSession> closedWithInput = ConcurrentHashMap.newKeySet();

  /**
   * Creates an emulator whose connections are served by handlers from {@code handlers}; call {@link
   * #start()} to listen.
   *
   * @param name short name used in thread names and logs; not null
   * @param splitter how client bytes are cut into frames; not null
   * @param handlers creates the handler for each new connection; not null, must not return null
   */
  public TcpEmulator(
      String name, FrameSplitter splitter, Function<EmulatorSession, SessionHandler> handlers) {
    this.name = Objects.requireNonNull(name, "name");
    this.splitter = Objects.requireNonNull(splitter, "splitter");
    this.handlers = Objects.requireNonNull(handlers, "handlers");
  }

  /**
   * Creates an emulator for a subclass that overrides {@link #newHandler(EmulatorSession)}.
   *
   * @param name short name used in thread names and logs; not null
   * @param splitter how client bytes are cut into frames; not null
   */
  protected TcpEmulator(String name, FrameSplitter splitter) {
    this.name = Objects.requireNonNull(name, "name");
    this.splitter = Objects.requireNonNull(splitter, "splitter");
    this.handlers = null;
  }

  /**
   * Creates the handler for a new connection. The default uses the factory given to the public
   * constructor; subclasses built with the protected constructor must override it.
   *
   * @param session the new connection (not yet connected to its handler)
   * @return the connection's handler; not null
   */
  protected SessionHandler newHandler(EmulatorSession session) {
    if (handlers == null) {
      throw new IllegalStateException(
          getClass().getName() + " must override newHandler(EmulatorSession)");
    }
    return handlers.apply(session);
  }

  /**
   * Makes the emulator serve TLS: every connection is wrapped by a server socket of {@code
   * serverContext}, whose key manager presents the emulator's certificate (see {@link
   * org.sipadapter.testkit.tls.TestCertificates}). The handshake happens on the connection's own
   * thread; a client that refuses the certificate ends its connection without a recorded handler
   * error. Call before {@link #start()}.
   *
   * @param serverContext an SSL context with a key manager; not null
   * @return this emulator
   * @throws IllegalStateException if already started
   */
  public synchronized TcpEmulator tls(SSLContext serverContext) {
    Objects.requireNonNull(serverContext, "serverContext");
    if (serverSocket != null) {
      throw new IllegalStateException(name + " emulator: set TLS before start()");
    }
    this.tlsContext = serverContext;
    return this;
  }

  /** Returns whether the emulator serves TLS ({@link #tls(SSLContext)}). */
  public boolean isTls() {
    return tlsContext != null;
  }

  /**
   * Listens on a free loopback port.
   *
   * @return this emulator, listening
   * @throws UncheckedIOException if no port can be bound
   * @throws IllegalStateException if already started or closed
   */
  public TcpEmulator start() {
    return start(0);
  }

  /**
   * Listens on the given loopback port, or a free one for {@code 0}.
   *
   * @param port 0-65535
   * @return this emulator, listening
   * @throws UncheckedIOException if the port cannot be bound
   * @throws IllegalStateException if already started or closed
   */
  public synchronized TcpEmulator start(int port) {
    if (closed || serverSocket != null) {
      throw new IllegalStateException(name + " emulator already started or closed");
    }
    try {
      SSLContext tls = tlsContext;
      ServerSocket socket =
          tls == null ? new ServerSocket() : tls.getServerSocketFactory().createServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
      serverSocket = socket;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on loopback port " + port, e);
    }
    startThread("emulator-" + name + "-accept", this::acceptLoop);
    LOG.debug(
        "{} emulator listening on 127.0.0.1:{}{}",
        name,
        port(),
        tlsContext == null ? "" : " (TLS)");
    return this;
  }

  /** Returns the emulator's name. */
  public String name() {
    return name;
  }

  /** Returns {@code 127.0.0.1}. */
  public String host() {
    return InetAddress.getLoopbackAddress().getHostAddress();
  }

  /**
   * Returns the port the emulator listens on.
   *
   * @throws IllegalStateException before {@link #start()}
   */
  public int port() {
    ServerSocket socket = serverSocket;
    if (socket == null) {
      throw new IllegalStateException(name + " emulator is not started");
    }
    return socket.getLocalPort();
  }

  /**
   * Sets the largest client frame accepted; a client sending a longer one is disconnected and an
   * error recorded.
   *
   * @param bytes at least 1024
   */
  public void maxFrameBytes(int bytes) {
    if (bytes < 1024) {
      throw new IllegalArgumentException("maxFrameBytes must be at least 1024, was " + bytes);
    }
    this.maxFrameBytes = bytes;
  }

  /** Returns the open connections, oldest first. */
  public List<EmulatorSession> sessions() {
    List<EmulatorSession> list = new ArrayList<>(sessions);
    list.sort((a, b) -> Long.compare(a.id(), b.id()));
    return list;
  }

  /** Returns the number of open connections. */
  public int sessionCount() {
    return sessions.size();
  }

  /** Returns the number of connections accepted since start. */
  public long acceptedCount() {
    return acceptedTotal.get();
  }

  /** Returns every frame received on any connection, oldest first (a read-only view). */
  public List<Frame> receivedFrames() {
    return Collections.unmodifiableList(received);
  }

  /**
   * Returns the received frames that satisfy {@code filter}, oldest first.
   *
   * @param filter not null
   */
  public List<Frame> receivedFrames(Predicate<Frame> filter) {
    List<Frame> out = new ArrayList<>();
    for (Frame f : received) {
      if (filter.test(f)) {
        out.add(f);
      }
    }
    return out;
  }

  /** Forgets the frames recorded so far. */
  public void clearReceived() {
    received.clear();
  }

  /** Returns what handlers and scripts threw, oldest first; empty when all went well. */
  public List<Throwable> handlerErrors() {
    return Collections.unmodifiableList(handlerErrors);
  }

  /**
   * Registers a scripted reply: each frame matching {@code match} goes to {@code action} instead of
   * the session handler. Later scripts are tried first.
   *
   * @param match which frames to take; not null
   * @param action what to do, typically {@code session.send(...)}; not null
   * @return the script, to count its uses or remove it
   */
  public Script when(Predicate<Frame> match, BiConsumer<EmulatorSession, Frame> action) {
    return addScript(new Script(match, action, 0));
  }

  /**
   * Like {@link #when} but handles only the first matching frame.
   *
   * @param match which frame to take; not null
   * @param action what to do; not null
   * @return the script
   */
  public Script once(Predicate<Frame> match, BiConsumer<EmulatorSession, Frame> action) {
    return addScript(new Script(match, action, 1));
  }

  /**
   * Makes frames matching {@code match} go unanswered (recorded, but neither scripts nor the
   * handler see them), e.g. to time out one kind of request.
   *
   * @param match which frames to ignore; not null
   * @return the script
   */
  public Script ignore(Predicate<Frame> match) {
    return when(match, (session, frame) -> {});
  }

  private Script addScript(Script script) {
    scripts.add(0, script);
    return script;
  }

  /** Runs the first matching script; returns true when one handled the frame. */
  boolean runScripts(EmulatorSession session, Frame frame) {
    for (Script script : scripts) {
      if (script.tryHandle(session, frame)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Sends {@code bytes} to every open connection (e.g. an event). Held while stalled.
   *
   * @param bytes a complete frame; not null
   */
  public void push(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    for (EmulatorSession s : sessions()) {
      s.send(bytes);
    }
  }

  /**
   * Sends {@code text} as UTF-8 to every open connection.
   *
   * @param text a complete frame; not null
   */
  public void push(String text) {
    push(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Closes every open connection; clients read end-of-stream. New connections are accepted. */
  public void dropAll() {
    for (EmulatorSession s : sessions()) {
      s.close();
    }
  }

  /**
   * Stops answering while keeping every socket open: frames are still read and recorded, but
   * neither scripts nor handlers see them, and nothing is written, until {@link #resume()}.
   */
  public void stall() {
    stalled = true;
  }

  /**
   * Makes {@link #resume()} also hand to the handler the frames a connection received during the
   * stall when the client closed it meanwhile, as a thawed server reads what its socket buffered
   * (the replies go nowhere). Off by default: such frames are dropped with the connection.
   *
   * @param on true to carry out the input of connections closed during a stall
   */
  public void handleInputOfConnectionsClosedWhileStalled(boolean on) {
    lateInputOfClosedConnections = on;
  }

  /** Returns true between {@link #stall()} and {@link #resume()}. */
  public boolean isStalled() {
    return stalled;
  }

  /**
   * Ends a stall: output held meanwhile is written, then frames received meanwhile are handled (so
   * the client sees late replies), in order.
   */
  public void resume() {
    stalled = false;
    // What a frozen server read before a client left is still carried out, before the rest.
    for (EmulatorSession s : new ArrayList<>(closedWithInput)) {
      closedWithInput.remove(s);
      s.resume(true);
    }
    for (EmulatorSession s : sessions()) {
      s.resume(true);
    }
  }

  /** Ends a stall dropping what was held: frames received and output produced meanwhile. */
  public void resumeDiscardingHeld() {
    stalled = false;
    closedWithInput.clear();
    for (EmulatorSession s : sessions()) {
      s.resume(false);
    }
  }

  /**
   * Writes {@link #garbage()} to every open connection, even while stalled.
   *
   * @see #injectGarbage(byte[])
   */
  public void injectGarbage() {
    injectGarbage(garbage());
  }

  /**
   * Writes {@code bytes} as they are to every open connection, even while stalled.
   *
   * @param bytes not null
   */
  public void injectGarbage(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    for (EmulatorSession s : sessions()) {
      s.sendRaw(bytes);
    }
  }

  /**
   * Writes one frame of about {@code payloadBytes} bytes ({@link #hugeFrame(int)}) to every open
   * connection, even while stalled.
   *
   * @param payloadBytes at least 1
   */
  public void injectHugeFrame(int payloadBytes) {
    if (payloadBytes < 1) {
      throw new IllegalArgumentException("payloadBytes must be positive, was " + payloadBytes);
    }
    byte[] frame = hugeFrame(payloadBytes);
    for (EmulatorSession s : sessions()) {
      s.sendRaw(frame);
    }
  }

  /**
   * Returns the bytes {@link #injectGarbage()} sends: by default invalid UTF-8, a NUL, control
   * characters and a line with no structure, ended so that a line- or block-based client sees it as
   * a complete (malformed) frame. Emulators override it with their protocol's worst case.
   */
  protected byte[] garbage() {
    byte[] noise = {(byte) 0xff, (byte) 0xfe, 0x00, 0x01, 0x1b, '%', '%', ':', ':', ' ', '\t'};
    byte[] tail = " no-structure here\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] out = Arrays.copyOf(noise, noise.length + tail.length);
    System.arraycopy(tail, 0, out, noise.length, tail.length);
    return out;
  }

  /**
   * Returns one frame with a payload of {@code payloadBytes} bytes for {@link
   * #injectHugeFrame(int)}: by default that many {@code 'x'} wrapped by the splitter. Emulators
   * override it to build a valid event with one huge value.
   *
   * @param payloadBytes at least 1
   */
  protected byte[] hugeFrame(int payloadBytes) {
    byte[] payload = new byte[payloadBytes];
    Arrays.fill(payload, (byte) 'x');
    return splitter.frame(payload);
  }

  /**
   * Stops listening and closes every connection. Returns within about a second; calling it again
   * does nothing.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    stalled = false;
    ServerSocket socket = serverSocket;
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
    dropAll();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_JOIN_MILLIS);
    for (Thread t : List.copyOf(threads)) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0 || t == Thread.currentThread()) {
        continue;
      }
      try {
        t.join(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    LOG.debug("{} emulator closed", name);
  }

  /** Returns the names of the live threads of this emulator, for leak checks in tests. */
  public List<String> threadNames() {
    List<String> names = new ArrayList<>();
    for (Thread t : threads) {
      names.add(t.getName());
    }
    return names;
  }

  void recordFrame(Frame frame) {
    received.add(frame);
  }

  void recordError(EmulatorSession session, Throwable error) {
    handlerErrors.add(error);
    LOG.warn("{} emulator: handler of session {} failed", name, session.id(), error);
  }

  private void acceptLoop() {
    ServerSocket socket = serverSocket;
    while (!socket.isClosed()) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return;
      }
      acceptedTotal.incrementAndGet();
      if (closed) {
        closeQuietly(client);
        return;
      }
      long id = sessionSeq.incrementAndGet();
      startThread(
          "emulator-" + name + "-session-" + id,
          () -> {
            EmulatorSession session;
            try {
              client.setTcpNoDelay(true);
              session = new EmulatorSession(this, id, client, this::newHandler);
            } catch (IOException | RuntimeException e) {
              handlerErrors.add(e);
              LOG.warn("{} emulator: cannot set up session {}", name, id, e);
              closeQuietly(client);
              return;
            }
            sessions.add(session);
            if (closed) {
              session.close();
            }
            try {
              session.run(splitter, maxFrameBytes);
            } finally {
              sessions.remove(session);
              if (stalled && lateInputOfClosedConnections && session.hasPendingFrames()) {
                closedWithInput.add(session);
              }
            }
          });
    }
  }

  private void startThread(String threadName, Runnable body) {
    Thread thread =
        new Thread(
            () -> {
              try {
                body.run();
              } finally {
                threads.remove(Thread.currentThread());
              }
            },
            threadName);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // best effort
    }
  }

  @Override
  public String toString() {
    ServerSocket socket = serverSocket;
    return getClass().getSimpleName()
        + "["
        + name
        + (socket == null ? "" : " 127.0.0.1:" + socket.getLocalPort())
        + ", sessions="
        + sessions.size()
        + "]";
  }
}
