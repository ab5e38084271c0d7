package org.sipadapter.testkit.tck;

/**
 * What a {@link TckFixture} can make its server do. Each test of {@link SipAdapterConformanceSuite}
 * that needs a capability the fixture does not list is skipped, with the missing capability named
 * in the reason.
 */
public enum TckCapability {
  /**
   * The adapter works through a {@link org.sipadapter.testkit.net.FaultProxy} put in front of the
   * server ({@link TckFixture#configThrough}); enables the reconnection, fail-fast and leak tests.
   */
  FAULT_PROXY,
  /** {@link TckFixture#hangupOnServer}: the far end or the server ends a live call. */
  REMOTE_HANGUP,
  /** {@link TckFixture#triggerInboundCall}: a call arrives from outside. */
  INBOUND_CALL,
  /** {@link TckFixture#sendDtmfToAdapter}: the far end sends a DTMF digit on a call. */
  DTMF_TO_ADAPTER,
  /** {@link TckFixture#stallServer}/{@link TckFixture#resumeServer}: the server stops answering. */
  STALL,
  /** {@link TckFixture#sendLargeMessage}: the server sends one very large, valid message. */
  LARGE_MESSAGE,
  /** {@link TckFixture#sendMalformedFrames}: the server sends bytes that are not valid frames. */
  MALFORMED_FRAMES,
  /**
   * {@link TckFixture#stallServer} holds the requests it receives and {@link
   * TckFixture#resumeServer} then carries them out late, as a frozen (SIGSTOP) and thawed server
   * does; {@link TckFixture#serverCalls} counts the calls the server holds. Enables the check that
   * a request that timed out leaves nothing running on the server.
   */
  LATE_ANSWER,
  /**
   * Two adapters connected to the one server each see the other's calls (as calls they did not
   * place) and each control only their own.
   */
  SECOND_CLIENT
}
