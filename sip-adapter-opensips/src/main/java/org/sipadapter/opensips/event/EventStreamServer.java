package org.sipadapter.opensips.event;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.sipadapter.transport.FrameSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP listener OpenSIPS's {@code event_stream} connects to. OpenSIPS is the client: it opens a
 * connection when it first has an event for the subscribed socket (and again after a drop), then
 * writes JSON objects back to back. Each accepted connection gets a reader thread with its own
 * {@link JsonObjectDecoder}; complete objects and malformed-input reports go to the {@link Sink}.
 *
 * <p>A connection closing is not an error: OpenSIPS reconnects for its next event. The reader never
 * dies from bad input. The sink is called on reader threads and must not block.
 *
 * <p>Thread-safe. {@link #close()} closes the listener and every connection and never hangs.
 */
public final class EventStreamServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EventStreamServer.class);

  /** Receives what arrives, on a reader thread. */
  public interface Sink extends FrameSink<byte[]> {
    /**
     * OpenSIPS opened a connection.
     *
     * @param remote its address
     */
    default void connected(String remote) {}
  }

  private final String name;
  private final ServerSocket server;
  private final Sink sink;
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger seq = new AtomicInteger();
  private volatile boolean closed;

  private EventStreamServer(String name, ServerSocket server, Sink sink) {
    this.name = name;
    this.server = server;
    this.sink = sink;
  }

  /**
   * Binds the listener and starts accepting.
   *
   * @param name a label for thread names and logs
   * @param host the bind address
   * @param port the port, 0 for a free one
   * @param sink receives objects and reports
   * @return the running server
   * @throws IOException if the address cannot be bound
   */
  public static EventStreamServer start(String name, String host, int port, Sink sink)
      throws IOException {
    ServerSocket s = new ServerSocket();
    try {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 16);
    } catch (IOException e) {
      s.close();
      throw new IOException(
          "cannot listen for event_stream on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    EventStreamServer es = new EventStreamServer(name, s, sink);
    Thread t = new Thread(es::acceptLoop, name + "-event-stream-accept");
    t.setDaemon(true);
    t.start();
    return es;
  }

  /** The bound port. */
  public int port() {
    return server.getLocalPort();
  }

  /** The number of open connections from OpenSIPS. */
  public int connectionCount() {
    return connections.size();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        if (!closed) {
          log.warn("[{}] event_stream listener stopped: {}", name, e.getMessage());
        }
        return;
      }
      connections.add(s);
      if (closed) {
        closeQuietly(s);
        return;
      }
      Thread t = new Thread(() -> read(s), name + "-event-stream-" + seq.incrementAndGet());
      t.setDaemon(true);
      t.start();
    }
  }

  private void read(Socket s) {
    String remote = String.valueOf(s.getRemoteSocketAddress());
    log.debug("[{}] event_stream connection from {}", name, remote);
    JsonObjectDecoder decoder = new JsonObjectDecoder();
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = s.getInputStream()) {
      sink.connected(remote);
      int n;
      while ((n = in.read(buf)) >= 0) {
        try {
          decoder.decode(ByteBuffer.wrap(buf, 0, n), sink);
        } catch (RuntimeException e) {
          // A sink or decoder failure must not end the stream.
          decoder.reset();
          log.warn("[{}] event_stream input handling failed", name, e);
        }
      }
    } catch (IOException e) {
      if (!closed) {
        log.debug("[{}] event_stream connection from {} ended: {}", name, remote, e.getMessage());
      }
    } finally {
      connections.remove(s);
      closeQuietly(s);
    }
  }

  /** Closes the listener and every connection; idempotent. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket s : connections) {
      closeQuietly(s);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // best effort
    }
  }
}
