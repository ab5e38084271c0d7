package org.sipadapter;

/**
 * Receives every latency sample an adapter records, for metrics libraries that keep their own
 * distributions (such as Micrometer's timers); {@link MetricsSnapshot} keeps only a summary.
 * Register one with {@link SipAdapter#addLatencyObserver(LatencyObserver)}.
 *
 * <p>Threading: called on the thread that completed the request or saw the answer, which may be the
 * thread that reads the socket. Implementations must be fast, must not block and must be
 * thread-safe; an exception they throw is swallowed so the adapter goes on.
 */
public interface LatencyObserver {

  /**
   * One request to the server completed (the same samples as {@link
   * MetricsSnapshot#requestLatency()}).
   *
   * @param nanos its round trip
   */
  void requestCompleted(long nanos);

  /**
   * An outbound call was answered (the same samples as {@link MetricsSnapshot#callSetupTime()}).
   *
   * @param nanos the time from {@code makeCall} to the answer
   */
  void callAnswered(long nanos);
}
