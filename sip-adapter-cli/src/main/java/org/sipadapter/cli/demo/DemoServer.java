package org.sipadapter.cli.demo;

import java.util.List;
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

  /** Stops the server and whatever it started. Never throws. */
  @Override
  void close();
}
