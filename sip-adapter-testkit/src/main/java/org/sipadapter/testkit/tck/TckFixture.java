package org.sipadapter.testkit.tck;

import java.util.Optional;
import java.util.Set;
import org.sipadapter.CallStatus;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;

/**
 * The server side of the conformance suite: how to build the adapter under test, where its server
 * is, and what the server can be made to do. An adapter's test implements it over an emulator, a
 * local process or a container and returns it from {@link
 * SipAdapterConformanceSuite#createFixture()}.
 *
 * <p>Only {@link #createAdapter} and {@link #config} are required. Every other method has a default
 * meaning "not available"; a test that needs it is skipped with a visible reason. Declare what you
 * implement in {@link #capabilities()}.
 *
 * <p>Threading: the suite calls the fixture from the JUnit thread only. One fixture serves every
 * test of the class; it is closed after the last one.
 */
public interface TckFixture extends AutoCloseable {

  /**
   * Builds the adapter under test (e.g. {@code new AsteriskAdapter(config)} or {@code
   * SipAdapters.create(config)}). Must not connect.
   *
   * @param config the config to use, possibly changed by the suite (timeouts, server address)
   * @return a new, unconnected adapter
   */
  SipAdapter createAdapter(AdapterConfig config);

  /**
   * Returns a valid config for the server, with working credentials. The suite derives every other
   * config from it: it shortens the reconnect backoff and may point host and port at a {@link
   * org.sipadapter.testkit.net.FaultProxy}.
   *
   * @return the config; its request timeout bounds how long timeout tests wait
   */
  AdapterConfig config();

  /**
   * Returns what this fixture can make the server do, beyond answering requests.
   *
   * @return the capabilities; empty by default
   */
  default Set<TckCapability> capabilities() {
    return Set.of();
  }

  /**
   * Returns a config whose credentials the server refuses, or empty to skip the authentication
   * tests.
   *
   * @return the config with a wrong password (or user)
   */
  default Optional<AdapterConfig> configWithWrongCredentials() {
    return Optional.empty();
  }

  /**
   * Returns the number or URI to call for a kind of destination, or empty when the server has none
   * (the tests that need it are skipped).
   *
   * @param destination the kind
   * @return what to pass as {@code to} to {@code makeCall}
   */
  default Optional<String> destination(Destination destination) {
    return Optional.empty();
  }

  /**
   * Returns what to pass as {@code from} to {@code makeCall}.
   *
   * @return the caller; {@code "1000"} by default
   */
  default String caller() {
    return "1000";
  }

  /**
   * Returns {@code config} changed so that the adapter reaches the server through {@code
   * proxyHost:proxyPort}. The default replaces host and port, which fits adapters with one
   * connection; override it for adapters with several (e.g. RPC plus an event channel).
   *
   * @param config the config to change
   * @param proxyHost the proxy's host
   * @param proxyPort the proxy's port
   * @return the changed config
   */
  default AdapterConfig configThrough(AdapterConfig config, String proxyHost, int proxyPort) {
    return config.toBuilder().server(proxyHost, proxyPort).build();
  }

  /**
   * Ends a live call from the server side (the far end hangs up), with cause normal clearing. Works
   * also while the adapter is disconnected. Needs {@link TckCapability#REMOTE_HANGUP}.
   *
   * @param call the call as the adapter tracks it; its {@code serverIds} identify it on the server
   */
  default void hangupOnServer(CallStatus call) {
    throw new UnsupportedOperationException("hangupOnServer");
  }

  /**
   * Makes a call arrive at the server for the adapter. Needs {@link TckCapability#INBOUND_CALL}.
   *
   * @param from the caller
   * @param to the called number
   */
  default void triggerInboundCall(String from, String to) {
    throw new UnsupportedOperationException("triggerInboundCall");
  }

  /**
   * Makes the far end of a live call send a DTMF digit. Needs {@link
   * TckCapability#DTMF_TO_ADAPTER}.
   *
   * @param call the call
   * @param digit one of {@code 0-9*#A-D}
   */
  default void sendDtmfToAdapter(CallStatus call, String digit) {
    throw new UnsupportedOperationException("sendDtmfToAdapter");
  }

  /**
   * Makes the server stop answering while keeping the connection open. Needs {@link
   * TckCapability#STALL}.
   */
  default void stallServer() {
    throw new UnsupportedOperationException("stallServer");
  }

  /**
   * Counts the calls the server holds now (channels, dialogs, sessions: whatever the protocol has),
   * as the server itself reports them. Needs {@link TckCapability#LATE_ANSWER}.
   *
   * @return the count, or empty if the fixture cannot tell
   */
  default java.util.OptionalInt serverCalls() {
    return java.util.OptionalInt.empty();
  }

  /**
   * The most calls per second the overload check may place on this server: a server that accepts
   * calls faster than it frees their state (transactions kept for their wait time) would run out of
   * memory and test itself, not the adapter. Empty: as fast as the server answers, backing off when
   * its answers slow down.
   *
   * @return the rate, or empty for no fixed limit
   */
  default java.util.OptionalInt floodCallsPerSecond() {
    return java.util.OptionalInt.empty();
  }

  /** Ends {@link #stallServer()}. */
  default void resumeServer() {
    throw new UnsupportedOperationException("resumeServer");
  }

  /**
   * Makes the server send one valid message (event) of about {@code bytes} bytes to the adapter.
   * Needs {@link TckCapability#LARGE_MESSAGE}.
   *
   * @param bytes the size, 1 MiB in the suite
   */
  default void sendLargeMessage(int bytes) {
    throw new UnsupportedOperationException("sendLargeMessage");
  }

  /**
   * Makes the server send a few frames that break the protocol (garbage, truncated or invalid
   * headers). Needs {@link TckCapability#MALFORMED_FRAMES}.
   */
  default void sendMalformedFrames() {
    throw new UnsupportedOperationException("sendMalformedFrames");
  }

  /**
   * Returns the destination for transfer tests, or empty to skip them.
   *
   * @return a number the server can transfer a call to
   */
  default Optional<String> transferTarget() {
    return Optional.empty();
  }

  /**
   * Tells the leak check which threads are shared infrastructure that may outlive an adapter (e.g.
   * an HTTP client pool owned by the fixture). Threads of core's shared pools ({@code
   * sipadapter-timer-*}, {@code sipadapter-worker-*}) are always ignored.
   *
   * @param threadName a live thread's name
   * @return true to ignore it
   */
  default boolean isSharedThread(String threadName) {
    return false;
  }

  /** Stops what the fixture started. Called once, after the last test. */
  @Override
  default void close() throws Exception {}
}
