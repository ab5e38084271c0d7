package org.sipadapter.cli.demo;

import java.util.List;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;

/** A server the demo started, with the adapter config that reaches it and the calls to run. */
public interface DemoServer extends AutoCloseable {

  /**
   * Returns the config of the adapter that talks to this server.
   *
   * @return the config, with host, port and credentials of the running server
   */
  AdapterConfig config();

  /**
   * Creates the adapter that drives this server. The default builds it from {@link #config()}
   * through {@link SipAdapters#create}, as the other commands do; a server that lives inside the
   * adapter's own process (an in-memory user agent) hands its backend over here instead.
   *
   * @return a new, unconnected adapter; the caller closes it
   */
  default SipAdapter createAdapter() {
    return SipAdapters.create(config());
  }

  /**
   * Tells whether the other commands can reach this server from its {@link #config()} alone, so
   * that {@code demo --serve} can offer it in the YAML file it writes.
   *
   * @return true unless the server exists only inside the adapter {@link #createAdapter()} makes
   */
  default boolean reachableFromConfig() {
    return true;
  }

  /**
   * Names the server for the summary: emulated or real, and which. The version the adapter reads
   * from the server on connect is added after it.
   *
   * @return for example {@code real Kamailio} or {@code AMI emulator}
   */
  String description();

  /**
   * Tells where the server runs, for the line that announces it.
   *
   * @return addresses, process ids and helpers, such as {@code pid 42, SIP 127.0.0.1:5060}
   */
  default String details() {
    return "";
  }

  /**
   * Returns the scripted calls to run through the adapter, in order.
   *
   * @return at least one call
   */
  List<DemoCall> calls();

  /**
   * Starts a call from outside the adapter, for {@link DemoCall#inbound()} calls (a SIP phone
   * calling through the server). The adapter should then report it as an incoming call.
   *
   * @param call the call to start
   * @throws Exception if it cannot be started
   */
  default void startInboundCall(DemoCall call) throws Exception {
    throw new UnsupportedOperationException("this server places no inbound calls");
  }

  /**
   * Lets the far end of an inbound call go on once the adapter has reported the call as incoming: a
   * server driven step by step (an emulator) answers the call here, or refuses it for a call that
   * is not {@link DemoCall#talk()}. Servers with real phones, which answer on their own, do nothing
   * (the default).
   *
   * @param call the call the adapter just reported
   * @throws Exception if the server cannot go on
   */
  default void inboundCallSeen(DemoCall call) throws Exception {}

  /** Stops the server and whatever it started. Never throws. */
  @Override
  void close();
}
