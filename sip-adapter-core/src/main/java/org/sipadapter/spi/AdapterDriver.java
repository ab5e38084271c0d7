package org.sipadapter.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.sipadapter.Feature;
import org.sipadapter.HangupCause;

/**
 * What every driver implements: the protocol side of one {@link org.sipadapter.SipAdapter}. Core
 * does the shared work around each call (argument and state checks, call tracking, ids, timeouts,
 * metrics, events, reconnect, health) and calls the driver only for what goes to the server; the
 * driver tells core what the server says through its {@link DriverContext}.
 *
 * <p>Optional operations are {@link Capability} interfaces the driver implements besides this one;
 * their presence is {@link org.sipadapter.SipAdapter#features()}.
 *
 * <p>Threading: core calls {@link #connect} and {@link #disconnect} one at a time, off the caller's
 * thread for reconnects. Request hooks may be called from any thread, concurrently, and must not
 * block: they return a future (core bounds it by the request timeout). {@link #keepalive} and
 * {@link #healthDetails} run on a worker and may block up to the request timeout.
 */
public interface AdapterDriver {

  /**
   * Returns the server versions this driver is built and tested for.
   *
   * @return version ranges, such as {@code ["16", "18", "20", "22"]}
   */
  List<String> supportedVersions();

  /**
   * Opens the link, logs in and subscribes to events. Blocking; must honour {@code
   * target.connectTimeout()} and {@code target.requestTimeout()}. Called for {@code connect()} and
   * for every reconnect attempt (after {@link #disconnect()} cleaned up the old link). Read {@link
   * DriverContext#linkGeneration()} here and report this link's loss with it.
   *
   * @param target where to connect and with which credentials
   * @throws org.sipadapter.AuthenticationException if the server refused the credentials
   * @throws Exception for anything else; core reports it as a connection failure
   */
  void connect(ConnectTarget target) throws Exception;

  /**
   * Closes the link (logging off where the protocol asks for it) and fails in-flight requests. Must
   * not block for long and must not throw. Called also when no link is open.
   */
  void disconnect();

  /**
   * Ends a call on the server. Also called for a call that already ended in core but that the
   * server may still hold (core gave up on it after a timeout or a lost link, or is closing): the
   * hook must work from the call's server ids alone, without looking the call up.
   *
   * @param call the call
   * @param cause the cause to send where the protocol takes one
   * @return a future completed when the server accepted the request
   */
  CompletableFuture<Void> hangup(TrackedCall call, HangupCause cause);

  /**
   * Returns what the driver offers now. The default is every capability this object implements; a
   * driver whose offer depends on its config or on the server returns fewer with {@link
   * Capabilities#without}. Called often: keep it cheap.
   *
   * @return the capabilities
   */
  default Capabilities capabilities() {
    return Capabilities.of(this);
  }

  /**
   * Checks that the server still answers (AMI Ping, ESL api status, an RPC version call). Called
   * every {@code timeouts.keepalive} while connected, on a background thread.
   *
   * @throws Exception if the server did not answer; the link is then treated as lost
   */
  default void keepalive() throws Exception {}

  /**
   * Returns server-side facts for the health report (uptime, counters). Called only while
   * connected, bounded by the request timeout.
   *
   * @return details, never secrets
   */
  default Map<String, Object> healthDetails() {
    return Map.of();
  }

  /**
   * Applies the protocol's own rules to a user value before it is sent. Core has already refused
   * CR, LF, NUL and other control characters and blank values where one is required; a driver adds
   * its protocol's separators here.
   *
   * @param field which value it is
   * @param value the value, never null
   * @throws IllegalArgumentException if the value would break or inject into the protocol; the
   *     message should name {@code field}
   */
  default void checkWire(WireField field, String value) {}

  /**
   * Says why the driver lacks a feature, for the {@link org.sipadapter.UnsupportedFeatureException}
   * message (a proxy cannot record media, say).
   *
   * @param feature a feature the driver does not offer now
   * @return the reason, or empty for none
   */
  default Optional<String> unsupportedReason(Feature feature) {
    return Optional.empty();
  }

  /**
   * Releases what the driver holds beyond the link (HTTP clients, executors). Called once, by
   * {@code close()}, after the link is closed.
   */
  default void close() {}
}
