package org.sipadapter.transport;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.dispatch.WakeBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP (or TLS) link to a server speaking a framed protocol: a reader thread that feeds a {@link
 * FrameDecoder} straight from the socket's bytes, and a writer serialised under a lock.
 *
 * <p>The reader thread never dies from bad input: decoder failures and listener exceptions are
 * logged and reported to {@link Listener#onMalformed}, and reading goes on. It ends only when the
 * link closes, and then calls {@link Listener#onClosed} exactly once (not after a local {@link
 * #close()}). Reconnecting is not this class's job: the adapter opens a new connection.
 *
 * <p>Listener methods run on the reader thread. They must hand work off quickly and never wait for
 * a reply from this same connection.
 *
 * @param <F> the frame type
 */
public final class FramedConnection<F> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FramedConnection.class);
  private static final int READ_BUFFER = 64 * 1024;

  /**
   * Where the link goes and how.
   *
   * @param name a label for logs and the reader thread's name, such as {@code ami-pbx-1}
   * @param host the server's host; with TLS, the server's certificate must name it
   * @param port the server's port
   * @param tls whether to wrap the link in TLS
   * @param connectTimeout how long the TCP (and TLS) handshake may take
   * @param tlsContext the TLS setup ({@link TlsContext#disabled()} without TLS); its {@link
   *     TlsContext#enabled()} must equal {@code tls}
   */
  public record Endpoint(
      String name,
      String host,
      int port,
      boolean tls,
      Duration connectTimeout,
      TlsContext tlsContext) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if {@code tls} and the context disagree
     */
    public Endpoint {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      Objects.requireNonNull(tlsContext, "tlsContext");
      if (tls != tlsContext.enabled()) {
        throw new IllegalArgumentException(
            "tls is " + tls + " but the TLS context is " + (tls ? "disabled" : "enabled"));
      }
    }

    /**
     * An endpoint whose TLS, when on, trusts the JVM's default trust store.
     *
     * @param name a label for logs and the reader thread's name
     * @param host the server's host
     * @param port the server's port
     * @param tls whether to wrap the link in TLS
     * @param connectTimeout how long the TCP (and TLS) handshake may take
     */
    public Endpoint(String name, String host, int port, boolean tls, Duration connectTimeout) {
      this(
          name,
          host,
          port,
          tls,
          connectTimeout,
          tls ? TlsContext.systemDefault() : TlsContext.disabled());
    }

    /**
     * An endpoint with TLS as the context says.
     *
     * @param name a label for logs and the reader thread's name
     * @param host the server's host
     * @param port the server's port
     * @param tlsContext the TLS setup, {@link TlsContext#disabled()} for plain TCP
     * @param connectTimeout how long the TCP (and TLS) handshake may take
     */
    public Endpoint(
        String name, String host, int port, TlsContext tlsContext, Duration connectTimeout) {
      this(name, host, port, tlsContext.enabled(), connectTimeout, tlsContext);
    }
  }

  /**
   * Receives what the connection reads. Called on the reader thread.
   *
   * @param <F> the frame type
   */
  public interface Listener<F> {
    /**
     * A complete frame arrived.
     *
     * @param frame the frame
     */
    void onFrame(F frame);

    /**
     * Bytes were skipped as malformed, or handling a frame failed. The link stays up.
     *
     * @param reason what was wrong
     */
    default void onMalformed(String reason) {}

    /**
     * The link closed by itself (server closed it, network error). Not called after {@link
     * FramedConnection#close()}.
     *
     * @param cause why
     */
    void onClosed(Throwable cause);
  }

  private final Endpoint endpoint;
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private final FrameDecoder<F> decoder;
  private final Listener<F> listener;
  private final Object writeLock = new Object();
  // Bytes of sendDeferred() not written yet, under writeLock; written before anything sent later.
  private byte[] deferred = new byte[0];
  private int deferredLength;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread reader;
  private volatile long lastReadNanos = System.nanoTime();

  private FramedConnection(
      Endpoint endpoint, Socket socket, FrameDecoder<F> decoder, Listener<F> listener)
      throws IOException {
    this.endpoint = endpoint;
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = socket.getInputStream();
    this.decoder = decoder;
    this.listener = listener;
    this.reader = new Thread(this::readLoop, "sipadapter-" + endpoint.name() + "-reader");
    this.reader.setDaemon(true);
  }

  /**
   * Opens the link and starts the reader thread.
   *
   * @param endpoint where to connect
   * @param decoder the protocol's decoder (fresh, owned by this connection from now on)
   * @param listener receives frames and the close
   * @param <F> the frame type
   * @return the open connection
   * @throws AdapterConnectionException if the server cannot be reached in time, or the TLS
   *     handshake fails (the message says whether the certificate is untrusted or names another
   *     host)
   */
  public static <F> FramedConnection<F> open(
      Endpoint endpoint, FrameDecoder<F> decoder, Listener<F> listener) {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.setKeepAlive(true);
      socket.connect(
          new InetSocketAddress(endpoint.host(), endpoint.port()),
          (int) Math.max(1, endpoint.connectTimeout().toMillis()));
      if (endpoint.tls()) {
        socket = handshake(endpoint, socket);
      }
      FramedConnection<F> c = new FramedConnection<>(endpoint, socket, decoder, listener);
      c.reader.start();
      log.debug("[{}] connected to {}:{}", endpoint.name(), endpoint.host(), endpoint.port());
      return c;
    } catch (IOException e) {
      closeQuietly(socket);
      throw new AdapterConnectionException(
          "Cannot connect to "
              + endpoint.host()
              + ":"
              + endpoint.port()
              + " ("
              + e.getMessage()
              + "); check host, port and that the server listens there",
          e);
    }
  }

  private static SSLSocket handshake(Endpoint endpoint, Socket plain) throws IOException {
    SSLSocket ssl =
        (SSLSocket)
            endpoint
                .tlsContext()
                .socketFactory()
                .createSocket(plain, endpoint.host(), endpoint.port(), true);
    TlsContext.requireHostName(ssl);
    ssl.setSoTimeout((int) Math.max(1, endpoint.connectTimeout().toMillis()));
    try {
      ssl.startHandshake();
    } catch (SSLException e) {
      closeQuietly(ssl);
      throw new AdapterConnectionException(
          "["
              + endpoint.name()
              + "] "
              + TlsContext.describeHandshakeFailure(endpoint.host(), endpoint.port(), e),
          e);
    }
    ssl.setSoTimeout(0);
    return ssl;
  }

  /**
   * Writes bytes to the server. Writers are serialised, so a frame is never interleaved with
   * another.
   *
   * @param bytes one or more complete frames
   * @throws AdapterConnectionException if the link is closed or the write fails (the link is then
   *     closed and {@link Listener#onClosed} follows)
   */
  public void send(byte[] bytes) {
    if (closed.get()) {
      throw new AdapterConnectionException("[" + endpoint.name() + "] connection is closed");
    }
    try {
      synchronized (writeLock) {
        if (deferredLength > 0) {
          out.write(deferred, 0, deferredLength);
          deferredLength = 0;
        }
        out.write(bytes);
        out.flush();
      }
    } catch (IOException e) {
      shutdown(e);
      throw new AdapterConnectionException(
          "[" + endpoint.name() + "] write failed: " + e.getMessage(), e);
    }
  }

  /**
   * Writes bytes to the server when the calling thread's {@link WakeBatch} closes (at once when it
   * has none open), together with every other frame deferred meanwhile: for frames nothing waits
   * on, such as the answers to the server's own messages that an event thread writes while it
   * handles one round of frames. One write then carries them all instead of one system call each.
   *
   * <p>Order is kept with every other write: a later {@link #send} writes the deferred bytes first.
   * A deferred write that fails closes the link ({@link Listener#onClosed} follows).
   *
   * @param bytes one or more complete frames
   * @throws AdapterConnectionException if the link is closed, or the write fails at once
   */
  public void sendDeferred(byte[] bytes) {
    if (closed.get()) {
      throw new AdapterConnectionException("[" + endpoint.name() + "] connection is closed");
    }
    synchronized (writeLock) {
      if (deferredLength > 0 || WakeBatch.defer(this::writeDeferred)) {
        if (deferredLength + bytes.length > deferred.length) {
          deferred =
              Arrays.copyOf(deferred, Math.max(deferredLength + bytes.length, deferred.length * 2));
        }
        System.arraycopy(bytes, 0, deferred, deferredLength, bytes.length);
        deferredLength += bytes.length;
        return;
      }
    }
    send(bytes);
  }

  /** Bytes deferred and not yet written; for tests. */
  int deferredBytes() {
    synchronized (writeLock) {
      return deferredLength;
    }
  }

  private void writeDeferred() {
    try {
      synchronized (writeLock) {
        if (deferredLength > 0) {
          out.write(deferred, 0, deferredLength);
          out.flush();
          deferredLength = 0;
        }
        if (deferred.length > 64 * 1024) {
          deferred = new byte[0]; // do not keep a huge buffer after one burst
        }
      }
    } catch (IOException e) {
      synchronized (writeLock) {
        deferredLength = 0;
      }
      shutdown(e);
    }
  }

  /**
   * Writes a text frame in UTF-8.
   *
   * @param text the frame
   * @throws AdapterConnectionException if the link is closed or the write fails
   */
  public void send(String text) {
    send(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Tells whether the link is open.
   *
   * @return false once closed either way
   */
  public boolean isOpen() {
    return !closed.get();
  }

  /**
   * Returns when bytes last arrived, for keepalive decisions.
   *
   * @return a {@link System#nanoTime()} value
   */
  public long lastReadNanos() {
    return lastReadNanos;
  }

  /**
   * Returns the endpoint.
   *
   * @return where this connection goes
   */
  public Endpoint endpoint() {
    return endpoint;
  }

  /**
   * Closes the link. Never blocks for long: it closes the socket (which ends a blocked read or
   * write) and waits at most one second for the reader thread. Idempotent; does not call {@link
   * Listener#onClosed}.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      closeQuietly(socket);
      if (Thread.currentThread() != reader) {
        try {
          reader.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      log.debug("[{}] closed", endpoint.name());
    }
  }

  private void shutdown(Throwable cause) {
    if (closed.compareAndSet(false, true)) {
      closeQuietly(socket);
      log.debug("[{}] link lost: {}", endpoint.name(), cause.toString());
      try {
        listener.onClosed(cause);
      } catch (RuntimeException e) {
        log.warn("[{}] close listener threw", endpoint.name(), e);
      }
    }
  }

  private void readLoop() {
    byte[] buf = new byte[READ_BUFFER];
    ByteBuffer view = ByteBuffer.wrap(buf);
    FrameSink<F> sink =
        new FrameSink<>() {
          @Override
          public void frame(F frame) {
            try {
              listener.onFrame(frame);
            } catch (RuntimeException e) {
              log.warn("[{}] handling a frame failed; the link stays up", endpoint.name(), e);
              malformed("frame handler failed: " + e);
            }
          }

          @Override
          public void malformed(String reason) {
            log.warn("[{}] skipped malformed input: {}", endpoint.name(), reason);
            try {
              listener.onMalformed(reason);
            } catch (RuntimeException e) {
              log.warn("[{}] malformed-input listener threw", endpoint.name(), e);
            }
          }
        };
    Throwable cause;
    try {
      while (true) {
        int n = in.read(buf);
        if (n < 0) {
          cause = new EOFException("connection closed by the server");
          break;
        }
        lastReadNanos = System.nanoTime();
        view.clear().limit(n);
        // Idle event lanes fed from this buffer are woken once, when it is decoded.
        try (WakeBatch batch = WakeBatch.open()) {
          decoder.decode(view, sink);
        } catch (RuntimeException e) {
          // A decoder bug must not take the link down: drop its state and carry on.
          decoder.reset();
          sink.malformed("decoder failed and was reset: " + e);
        }
      }
    } catch (SocketException e) {
      cause = e;
    } catch (IOException e) {
      cause = e;
    } catch (Error e) {
      cause = e;
      log.error("[{}] reader thread failed", endpoint.name(), e);
    }
    shutdown(cause);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // Closing is best effort; the socket is unusable either way.
    }
  }
}
