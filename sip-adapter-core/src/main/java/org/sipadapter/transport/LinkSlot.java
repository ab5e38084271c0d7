package org.sipadapter.transport;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.sipadapter.AdapterConnectionException;

/**
 * An adapter's one current {@link FramedConnection}, whose frames and close are handed to a single
 * serial executor (the adapter's event thread) and tagged with the {@link Link} they came from.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>A link's frames reach {@link Handler#onFrame} on the executor, in wire order, and only
 *       while that link is the current one: once a newer link was opened (or this one released),
 *       its late frames go to {@link Handler#onStaleFrame} instead. The frames the handler takes on
 *       the reader thread ({@link Handler#onFrameAhead}, replies) skip the executor's queue.
 *   <li>A link becomes current before its socket opens, so a greeting that arrives at once is not
 *       lost; if the open fails, the slot is cleared again (unless a newer link took it meanwhile).
 *   <li>A link that closes by itself is reported once to {@link Handler#onClosed}, on the executor
 *       after its earlier frames, and only if it was still current; the slot is empty by then. A
 *       link closed locally ({@link Link#close()}) is not reported.
 *   <li>Malformed input is reported to {@link Handler#onMalformed} on the reader thread; the link
 *       stays up.
 * </ul>
 *
 * <p>Thread-safe. The executor must run tasks one at a time in submission order (a single-threaded
 * executor); if it rejects a task, the rejection reaches the connection's reader thread, which logs
 * it and goes on.
 *
 * @param <F> the frame type
 */
public final class LinkSlot<F> {

  /**
   * What the adapter does with a link's input.
   *
   * @param <F> the frame type
   */
  public interface Handler<F> {
    /**
     * A frame of the current link. Runs on the serial executor.
     *
     * @param link the link it came from, current when this is called
     * @param frame the frame
     */
    void onFrame(Link<F> link, F frame);

    /**
     * Offers a frame of the current link on the connection's reader thread, before it is queued
     * behind the frames still waiting for the serial executor: for replies a requester is waiting
     * for, which must not wait behind a backlog of events (a keepalive timing out behind a flood of
     * events drops a link that is alive). Must be quick and must not block. Takes nothing by
     * default.
     *
     * @param link the link it came from, current when this is called
     * @param frame the frame
     * @return true if the frame was handled here and must not go to {@link #onFrame}
     */
    default boolean onFrameAhead(Link<F> link, F frame) {
      return false;
    }

    /**
     * A late frame of a link that is no longer current, for replies the server must not wait for in
     * vain. Runs on the serial executor. Does nothing by default.
     *
     * @param link the link it came from
     * @param frame the frame
     */
    default void onStaleFrame(Link<F> link, F frame) {}

    /**
     * Input of any link was skipped as malformed. Runs on the connection's reader thread: hand work
     * off quickly.
     *
     * @param reason what was wrong
     */
    void onMalformed(String reason);

    /**
     * The current link closed by itself and the slot is now empty. Runs on the serial executor,
     * once per link.
     *
     * @param link the link that closed
     * @param cause why
     */
    void onClosed(Link<F> link, Throwable cause);
  }

  /**
   * One socket's life in a slot.
   *
   * @param <F> the frame type
   */
  public static final class Link<F> {
    private final LinkSlot<F> slot;
    private final String name;
    private volatile FramedConnection<F> connection;

    private Link(LinkSlot<F> slot, String name) {
      this.slot = slot;
      this.name = name;
    }

    /**
     * Returns the open connection.
     *
     * @return empty while the socket is still opening, or if opening it failed
     */
    public Optional<FramedConnection<F>> connection() {
      return Optional.ofNullable(connection);
    }

    /**
     * Writes bytes on this link.
     *
     * @param bytes one or more complete frames
     * @throws AdapterConnectionException if the socket is not open (yet) or the write fails
     */
    public void send(byte[] bytes) {
      FramedConnection<F> c = connection;
      if (c == null) {
        throw new AdapterConnectionException("[" + name + "] link is not open");
      }
      c.send(bytes);
    }

    /**
     * Writes bytes on this link when the calling thread's batch of work ends: see {@link
     * FramedConnection#sendDeferred}.
     *
     * @param bytes one or more complete frames nothing waits on
     * @throws AdapterConnectionException if the socket is not open (yet) or the write fails
     */
    public void sendDeferred(byte[] bytes) {
      FramedConnection<F> c = connection;
      if (c == null) {
        throw new AdapterConnectionException("[" + name + "] link is not open");
      }
      c.sendDeferred(bytes);
    }

    /**
     * Tells whether this is its slot's current link.
     *
     * @return false once a newer link was opened or this one released
     */
    public boolean isCurrent() {
      return slot.current.get() == this;
    }

    /**
     * Empties the slot if this link is current; its later input is then stale and its close is not
     * reported.
     *
     * @return whether this link was current
     */
    public boolean release() {
      return slot.current.compareAndSet(this, null);
    }

    /** Releases this link and closes its socket. Idempotent; never blocks for long. */
    public void close() {
      release();
      FramedConnection<F> c = connection;
      if (c != null) {
        c.close();
      }
    }
  }

  private final Executor serial;
  private final Handler<F> handler;
  private final AtomicReference<Link<F>> current = new AtomicReference<>();

  /**
   * Creates an empty slot.
   *
   * @param serial runs the handler's frame and close calls one at a time, in order
   * @param handler receives the input of every link opened here
   * @throws NullPointerException if an argument is null
   */
  public LinkSlot(Executor serial, Handler<F> handler) {
    this.serial = Objects.requireNonNull(serial, "serial");
    this.handler = Objects.requireNonNull(handler, "handler");
  }

  /**
   * Makes a new link current and opens its socket. A link that was current before is neither closed
   * nor reported: its input just becomes stale.
   *
   * @param endpoint where to connect
   * @param decoder the protocol's decoder, fresh
   * @return the link, current and open
   * @throws AdapterConnectionException if the server cannot be reached (the slot is then cleared,
   *     unless a newer link took it meanwhile)
   */
  public Link<F> open(FramedConnection.Endpoint endpoint, FrameDecoder<F> decoder) {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(decoder, "decoder");
    Link<F> link = new Link<>(this, endpoint.name());
    current.set(link);
    try {
      link.connection = FramedConnection.open(endpoint, decoder, listenerFor(link));
    } catch (RuntimeException e) {
      link.release();
      throw e;
    }
    return link;
  }

  /**
   * Returns the current link.
   *
   * @return empty before the first open, after the current link was released or closed, or after it
   *     closed by itself
   */
  public Optional<Link<F>> current() {
    return Optional.ofNullable(current.get());
  }

  private FramedConnection.Listener<F> listenerFor(Link<F> link) {
    return new FramedConnection.Listener<>() {
      @Override
      public void onFrame(F frame) {
        if (link.isCurrent() && handler.onFrameAhead(link, frame)) {
          return;
        }
        serial.execute(
            () -> {
              if (link.isCurrent()) {
                handler.onFrame(link, frame);
              } else {
                handler.onStaleFrame(link, frame);
              }
            });
      }

      @Override
      public void onMalformed(String reason) {
        handler.onMalformed(reason);
      }

      @Override
      public void onClosed(Throwable cause) {
        serial.execute(
            () -> {
              if (link.release()) {
                handler.onClosed(link, cause);
              }
            });
      }
    };
  }
}
