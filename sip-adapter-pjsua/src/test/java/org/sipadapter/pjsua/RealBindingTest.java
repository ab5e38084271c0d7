package org.sipadapter.pjsua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.sipadapter.ConnectionState;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;

/**
 * The adapter on the real pjsua2 binding: starts the user agent on a loopback port and stops it.
 * Runs only where the real {@code pjsua2.jar} is on the class path in place of the compile-only
 * declarations and {@code libpjsua2.so} loads from {@code java.library.path}; skipped otherwise,
 * with the reason.
 */
class RealBindingTest {

  /** The generated JNI class exists in the real binding only. */
  static boolean realBindingPresent() {
    try {
      Class.forName("org.pjsip.pjsua2.pjsua2JNI", false, RealBindingTest.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  @Test
  void userAgentStartsAndStopsOnTheRealBinding() {
    assumeTrue(
        realBindingPresent(),
        "org.pjsip.pjsua2 resolves to the compile-only declarations (sip-adapter-pjsua-api): put"
            + " the real pjsua2.jar on the test class path and libpjsua2.so on java.library.path"
            + " (see docs/pjsua.md)");
    AdapterConfig config =
        AdapterConfig.builder(PjsuaAdapter.TYPE)
            .name("real-pjsua")
            .server("127.0.0.1", 15060)
            .build();
    try (SipAdapter ua = SipAdapters.create(config)) {
      ua.connect();
      assertThat(ua.connectionState()).isEqualTo(ConnectionState.CONNECTED);
      ua.disconnect();
      assertThat(ua.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
    }
  }
}
