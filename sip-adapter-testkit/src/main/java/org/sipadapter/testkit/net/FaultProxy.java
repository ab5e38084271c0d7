package org.sipadapter.testkit.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on a free loopback port that forwards to one target and injects network faults on
 * demand, so that a client's reconnect, timeout and fail-fast behaviour can be tested against a
 * real server or an emulator.
 *
 * <p>Point the client at {@link #host()}:{@link #port()} instead of the target. The proxy starts in
 * pass-through mode. Faults:
 *
 * <ul>
 *   <li>{@link #cutAll()}: close every live connection on both sides (the client and the target
 *       both read end-of-stream). New connections are still accepted.
 *   <li>{@link #refuseNew()} / {@link #acceptNew()}: stop and resume listening; once {@code
 *       refuseNew()} has returned, every connection attempt to {@link #port()} is refused by the
 *       operating system. Live connections are untouched.
 *   <li>{@link #blackHole()}: connections are accepted and kept open but no byte is forwarded in
 *       either direction, like a network partition. Bytes read meanwhile are held and delivered
 *       when the black hole ends ({@link #restore()}), as TCP retransmission would; {@link
 *       #cutAll()} discards them.
 *   <li>{@link #latency(Duration)}: every chunk of bytes is held for at least the given time before
 *       it is forwarded (bytes arriving while a chunk waits may wait up to twice as long).
 *   <li>{@link #restore()}: back to plain pass-through (accept new, no black hole, no latency).
 * </ul>
 *
 * <p>Thread-safety: every method may be called from any thread. Each proxied connection uses two
 * daemon threads named {@code fault-proxy-<port>-...}, which end when the connection ends. {@link
 * #close()} closes every socket and returns within about a second even if threads are stuck.
 */
public final class FaultProxy implements AutoCloseable {

  private static final int BUFFER_SIZE = 64 * 1024;
  private static final long CLOSE_JOIN_MILLIS = 1_000;

  private final InetSocketAddress target;
  private final Duration connectTimeout;
  private final Object modeLock = new Object();
  private final Set<ProxiedConnection> connections = ConcurrentHashMap.newKeySet();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connectionSeq = new AtomicInteger();
  private final AtomicLong acceptedTotal = new AtomicLong();
  private final int port;

  private ServerSocket serverSocket; // guarded by modeLock
  private Thread acceptor; // guarded by modeLock; the thread accepting on serverSocket
  private boolean blackHoled; // guarded by modeLock
  private volatile long latencyNanos;
  private volatile boolean closed;

  private FaultProxy(InetSocketAddress target, int port, Duration connectTimeout) {
    this.target = target;
    this.connectTimeout = connectTimeout;
    ServerSocket socket = port == 0 ? bindOutsideEphemeralRange() : bind(port);
    this.port = socket.getLocalPort();
    synchronized (modeLock) {
      this.serverSocket = socket;
      this.acceptor = startAcceptor(socket);
    }
  }

  /**
   * Starts a proxy on a free loopback port in front of {@code targetHost:targetPort}.
   *
   * @param targetHost host name or address of the target; not null
   * @param targetPort the target's TCP port, 1-65535
   * @return the running proxy, in pass-through mode
   * @throws UncheckedIOException if no loopback port can be bound
   */
  public static FaultProxy start(String targetHost, int targetPort) {
    return start(targetHost, targetPort, 0);
  }

  /**
   * Starts a proxy on the given loopback port ({@code 0} for a free one) in front of {@code
   * targetHost:targetPort}.
   *
   * @param targetHost host name or address of the target; not null
   * @param targetPort the target's TCP port, 1-65535
   * @param listenPort the loopback port to listen on, or 0 for any free port
   * @return the running proxy, in pass-through mode
   * @throws UncheckedIOException if the port cannot be bound
   */
  public static FaultProxy start(String targetHost, int targetPort, int listenPort) {
    Objects.requireNonNull(targetHost, "targetHost");
    if (targetPort < 1 || targetPort > 65_535) {
      throw new IllegalArgumentException("targetPort must be 1-65535, was " + targetPort);
    }
    if (listenPort < 0 || listenPort > 65_535) {
      throw new IllegalArgumentException("listenPort must be 0-65535, was " + listenPort);
    }
    return new FaultProxy(
        new InetSocketAddress(targetHost, targetPort), listenPort, Duration.ofSeconds(5));
  }

  /** Returns the loopback address clients should connect to: {@code 127.0.0.1}. */
  public String host() {
    return InetAddress.getLoopbackAddress().getHostAddress();
  }

  /** Returns the port clients should connect to; stable for the proxy's life. */
  public int port() {
    return port;
  }

  /** Returns the address this proxy forwards to. */
  public InetSocketAddress target() {
    return target;
  }

  /** Returns the number of client connections currently open through the proxy. */
  public int connectionCount() {
    return connections.size();
  }

  /** Returns the number of client connections accepted since the proxy started. */
  public long acceptedCount() {
    return acceptedTotal.get();
  }

  /** Closes every live connection on both sides; new connections are still accepted. */
  public void cutAll() {
    for (ProxiedConnection c : List.copyOf(connections)) {
      c.close();
    }
  }

  /**
   * Stops listening: every connection attempt made after this method returns is refused by the
   * operating system until {@link #acceptNew()} or {@link #restore()}. Live connections are kept.
   */
  public void refuseNew() {
    synchronized (modeLock) {
      stopListening();
    }
  }

  /**
   * Listens again on the same port after {@link #refuseNew()}; does nothing when already listening.
   *
   * @throws UncheckedIOException if the port was taken by someone else meanwhile
   */
  public void acceptNew() {
    synchronized (modeLock) {
      ensureOpen();
      if (serverSocket == null) {
        serverSocket = bind(port);
        acceptor = startAcceptor(serverSocket);
      }
    }
  }

  /**
   * Keeps every connection (and accepts new ones) but forwards nothing until {@link #restore()}.
   */
  public void blackHole() {
    synchronized (modeLock) {
      blackHoled = true;
    }
  }

  /**
   * Delays every forwarded chunk by at least {@code delay}; {@link Duration#ZERO} removes the
   * delay.
   *
   * @param delay not null, not negative
   */
  public void latency(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative: " + delay);
    }
    latencyNanos = delay.toNanos();
  }

  /** Returns to pass-through: accepts new connections, ends a black hole and removes latency. */
  public void restore() {
    latencyNanos = 0;
    synchronized (modeLock) {
      blackHoled = false;
      modeLock.notifyAll();
    }
    acceptNew();
  }

  /**
   * Stops listening (connection attempts are refused once it returns) and closes every connection.
   * Waits at most about a second for the connection threads to end; calling it again does nothing.
   */
  @Override
  public void close() {
    synchronized (modeLock) {
      if (closed) {
        return;
      }
      closed = true;
      stopListening();
      modeLock.notifyAll();
    }
    cutAll();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_JOIN_MILLIS);
    for (Thread t : List.copyOf(threads)) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        break;
      }
      try {
        t.join(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public String toString() {
    return "FaultProxy[127.0.0.1:"
        + port
        + " -> "
        + target
        + ", connections="
        + connectionCount()
        + "]";
  }

  /**
   * Closes the listening socket and waits until it is really gone. Closing a socket that another
   * thread is blocked in {@code accept()} on only marks it closed and signals that thread; the
   * kernel keeps the socket listening, and completes handshakes, until the thread has been
   * scheduled and left the call. Once the accept thread has ended, no listener is left on the port,
   * so the kernel answers every new attempt with a reset. The accept thread never takes {@code
   * modeLock}, so waiting for it under the lock cannot deadlock.
   */
  private void stopListening() {
    assert Thread.holdsLock(modeLock);
    if (serverSocket == null) {
      return;
    }
    closeQuietly(serverSocket);
    serverSocket = null;
    Thread t = acceptor;
    acceptor = null;
    boolean interrupted = false;
    while (t.isAlive()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        interrupted = true; // the guarantee is worth finishing the wait; restore the flag after
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("FaultProxy is closed");
    }
  }

  /**
   * Binds a free port below the kernel's ephemeral range. {@link #acceptNew()} must bind the same
   * port again; a port from the ephemeral range could meanwhile become the local end of some
   * outgoing connection, and the bind would fail.
   */
  private static ServerSocket bindOutsideEphemeralRange() {
    int low = 10_000;
    int high = ephemeralLow() - 1;
    if (high - low > 1000) {
      java.util.concurrent.ThreadLocalRandom random =
          java.util.concurrent.ThreadLocalRandom.current();
      for (int i = 0; i < 50; i++) {
        try {
          return bind(random.nextInt(low, high));
        } catch (UncheckedIOException taken) {
          // try another port
        }
      }
    }
    return bind(0);
  }

  private static int ephemeralLow() {
    try {
      String range =
          java.nio.file.Files.readString(
                  java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
              .trim();
      return Integer.parseInt(range.split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }

  private static ServerSocket bind(int port) {
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on loopback port " + port, e);
    }
  }

  private Thread startAcceptor(ServerSocket socket) {
    return startThread("fault-proxy-" + port + "-accept", () -> acceptLoop(socket));
  }

  private Thread startThread(String name, Runnable body) {
    Thread thread =
        new Thread(
            () -> {
              try {
                body.run();
              } finally {
                threads.remove(Thread.currentThread());
              }
            },
            name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
    return thread;
  }

  private void acceptLoop(ServerSocket socket) {
    while (!socket.isClosed()) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return; // the listening socket was closed by refuseNew() or close()
      }
      acceptedTotal.incrementAndGet();
      if (closed) {
        closeQuietly(client);
        return;
      }
      int id = connectionSeq.incrementAndGet();
      startThread("fault-proxy-" + port + "-conn-" + id, () -> open(id, client));
    }
  }

  private void open(int id, Socket client) {
    Socket upstream = new Socket();
    try {
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      upstream.connect(target, (int) connectTimeout.toMillis());
    } catch (IOException e) {
      closeQuietly(client);
      closeQuietly(upstream);
      return;
    }
    ProxiedConnection connection = new ProxiedConnection(client, upstream);
    connections.add(connection);
    if (closed) {
      connection.close();
      return;
    }
    startThread(
        "fault-proxy-" + port + "-conn-" + id + "-up", () -> connection.pump(client, upstream));
    connection.pump(upstream, client);
  }

  /** Waits while black-holed; returns false when the proxy or connection closed meanwhile. */
  private boolean awaitForwarding(ProxiedConnection connection) throws InterruptedException {
    synchronized (modeLock) {
      while (blackHoled && !closed && !connection.closed) {
        modeLock.wait(100);
      }
      return !closed && !connection.closed;
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // closing is best effort; the peer sees end-of-stream or a reset either way
    }
  }

  /** One client connection and its upstream twin. */
  private final class ProxiedConnection {
    private final Socket client;
    private final Socket upstream;
    private volatile boolean closed;

    ProxiedConnection(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void pump(Socket from, Socket to) {
      byte[] buffer = new byte[BUFFER_SIZE];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        while (true) {
          int n = in.read(buffer);
          if (n < 0) {
            break;
          }
          long delay = latencyNanos;
          if (delay > 0) {
            TimeUnit.NANOSECONDS.sleep(delay);
          }
          if (!awaitForwarding(this)) {
            break;
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (SocketException e) {
        // the other pump or cutAll() closed the sockets
      } catch (IOException e) {
        // the peer reset the connection
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        close();
      }
    }

    void close() {
      closed = true;
      connections.remove(this);
      closeQuietly(client);
      closeQuietly(upstream);
      synchronized (modeLock) {
        modeLock.notifyAll();
      }
    }
  }

  /** Returns the names of the threads this proxy is running; for diagnostics. */
  List<String> threadNames() {
    List<String> names = new ArrayList<>();
    for (Thread t : threads) {
      names.add(t.getName());
    }
    return names;
  }
}
