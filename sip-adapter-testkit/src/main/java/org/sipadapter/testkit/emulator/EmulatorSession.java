package org.sipadapter.testkit.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One client connection to a {@link TcpEmulator}: send bytes to the client, close it, and see what
 * it sent.
 *
 * <p>Thread-safe: {@link #send} may be called from any thread (writes are serialised). While the
 * emulator is {@linkplain TcpEmulator#stall() stalled}, sends are held and written on {@link
 * TcpEmulator#resume()}.
 */
public final class EmulatorSession {

  private final TcpEmulator emulator;
  private final long id;
  private final Socket socket;
  private final SessionHandler handler;
  private final Object writeLock = new Object();
  private final Object dispatchLock = new Object();
  private final Queue<Frame> pendingFrames = new ConcurrentLinkedQueue<>();
  private final Queue<byte[]> heldOutput = new ArrayDeque<>(); // guarded by writeLock
  private final List<Frame> received = new CopyOnWriteArrayList<>();
  private volatile boolean open = true;

  EmulatorSession(
      TcpEmulator emulator,
      long id,
      Socket socket,
      java.util.function.Function<EmulatorSession, SessionHandler> handlers) {
    this.emulator = emulator;
    this.id = id;
    this.socket = socket;
    this.handler =
        Objects.requireNonNull(handlers.apply(this), "the handler factory returned null");
  }

  /** Returns the connection number, 1 for the first accepted connection of the emulator. */
  public long id() {
    return id;
  }

  /** Returns the client's address. */
  public SocketAddress remoteAddress() {
    return socket.getRemoteSocketAddress();
  }

  /** Returns the handler serving this connection. */
  public SessionHandler handler() {
    return handler;
  }

  /** Returns true until the connection is closed by either side. */
  public boolean isOpen() {
    return open;
  }

  /** Returns the frames this client sent so far, oldest first (a live read-only view). */
  public List<Frame> received() {
    return java.util.Collections.unmodifiableList(received);
  }

  /**
   * Sends {@code text} encoded as UTF-8. Does nothing if the connection is closed.
   *
   * @param text not null
   */
  public void send(String text) {
    send(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Sends {@code bytes} as they are (the caller frames them). Held while the emulator is stalled.
   * Does nothing if the connection is closed.
   *
   * @param bytes not null
   */
  public void send(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    synchronized (writeLock) {
      if (emulator.isStalled()) {
        heldOutput.add(bytes.clone());
        return;
      }
      writeNow(bytes);
    }
  }

  /** Sends bytes even while stalled; for fault injection. */
  void sendRaw(byte[] bytes) {
    synchronized (writeLock) {
      writeNow(bytes);
    }
  }

  private void writeNow(byte[] bytes) {
    if (!open) {
      return;
    }
    try {
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      close(); // the client went away; the reader thread notices too
    }
  }

  /** Closes the connection; the client reads end-of-stream. Idempotent. */
  public void close() {
    open = false;
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing left to release
    }
  }

  /** Reader loop; runs on the session's own thread until the socket ends. */
  void run(FrameSplitter splitter, int maxFrameBytes) {
    dispatch(() -> handler.onConnect(this));
    byte[] buffer = new byte[8192];
    int start = 0;
    int end = 0;
    try {
      InputStream in = socket.getInputStream();
      while (true) {
        if (end == buffer.length) {
          if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
          } else if (buffer.length >= maxFrameBytes) {
            emulator.recordError(
                this, new IOException("client frame exceeds " + maxFrameBytes + " bytes"));
            break;
          } else {
            buffer = Arrays.copyOf(buffer, Math.min(maxFrameBytes, buffer.length * 2));
          }
        }
        int n = in.read(buffer, end, buffer.length - end);
        if (n < 0) {
          break;
        }
        end += n;
        int length;
        while (end > start && (length = splitter.frameLength(buffer, start, end - start)) > 0) {
          Frame frame =
              new Frame(id, Arrays.copyOfRange(buffer, start, start + length), Instant.now());
          start += length;
          received.add(frame);
          emulator.recordFrame(frame);
          pendingFrames.add(frame);
          drain();
        }
        signalDrained();
        if (start == end) {
          start = 0;
          end = 0;
        }
      }
    } catch (IOException e) {
      // closed by us, by the client, or reset
    } finally {
      close();
      dispatch(() -> handler.onClose(this));
    }
  }

  /** Returns true while frames received during a stall wait for the handler. */
  boolean hasPendingFrames() {
    return !pendingFrames.isEmpty();
  }

  /** Hands queued frames to scripts or the handler, in order, unless the emulator is stalled. */
  void drain() {
    synchronized (dispatchLock) {
      Frame frame;
      while (!emulator.isStalled() && (frame = pendingFrames.poll()) != null) {
        Frame f = frame;
        dispatch(
            () -> {
              if (!emulator.runScripts(this, f)) {
                handler.onFrame(this, f);
              }
            });
      }
    }
  }

  /** Writes output held during a stall; then delivers held frames. */
  void resume(boolean deliverHeld) {
    synchronized (writeLock) {
      byte[] bytes;
      while ((bytes = heldOutput.poll()) != null) {
        if (deliverHeld) {
          writeNow(bytes);
        }
      }
    }
    if (!deliverHeld) {
      pendingFrames.clear();
    }
    drain();
    signalDrained();
  }

  private void signalDrained() {
    synchronized (dispatchLock) {
      if (pendingFrames.isEmpty() && !emulator.isStalled()) {
        dispatch(() -> handler.onInputDrained(this));
      }
    }
  }

  private void dispatch(Runnable call) {
    synchronized (dispatchLock) {
      try {
        call.run();
      } catch (RuntimeException | Error e) {
        emulator.recordError(this, e);
      }
    }
  }

  @Override
  public String toString() {
    return "EmulatorSession["
        + emulator.name()
        + "#"
        + id
        + ", "
        + (open ? "open" : "closed")
        + "]";
  }
}
