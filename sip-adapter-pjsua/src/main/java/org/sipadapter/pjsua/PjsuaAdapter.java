package org.sipadapter.pjsua;

import java.util.function.Supplier;
import org.sipadapter.CallException;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;

/**
 * An in-process SIP user agent on pjsua2: {@code connect()} starts the library and its account,
 * calls are placed and answered by this process, and pjsua's call states become the unified ones
 * ({@code CALLING} to {@code DIALING}, {@code EARLY} 180 to {@code RINGING}, {@code EARLY} 183 to
 * {@code EARLY_MEDIA}, {@code CONFIRMED} to {@code CONNECTED}, {@code DISCONNECTED} to the terminal
 * state with the last SIP status as cause).
 *
 * <p>Threading: every pjsua2 call runs on one thread of this adapter ({@code
 * sipadapter-pjsua-ops-<name>}), registered with pjlib once. pjsua's callbacks run on its worker
 * thread; they copy what they need, report it to core (which never blocks) and hand any further
 * library call to the ops thread, so no callback waits.
 *
 * <p>Server ids on each call: {@code Call-ID} (the SIP Call-ID), {@code pjsua.callId} (the call
 * slot, reused by pjsua after the call ends) and {@code pjsua.ref} (the adapter's own reference).
 * Every INVITE it sends carries the call's marker in {@value #MARKER_HEADER}.
 *
 * <p>Capacity: at most {@code options.maxCalls} calls hold a pjsua call slot at once (placed,
 * arrived and consultation calls alike); {@code makeCall} beyond that fails with a {@link
 * CallException} before pjsua is asked, and {@code maxCalls} itself is bounded by the media sockets
 * the library can open ({@link PjsuaSettings#capacity()}), because pjlib aborts the process rather
 * than fail a call when they run out.
 */
public class PjsuaAdapter extends SipAdapter {

  /** The provider type. */
  public static final String TYPE = "pjsua";

  /** The local SIP port used when the config gives none. */
  public static final int DEFAULT_PORT = 5060;

  /** Server id key of the SIP Call-ID. */
  public static final String SIP_CALL_ID = "Call-ID";

  /** Server id key of the pjsua call slot. */
  public static final String SLOT = "pjsua.callId";

  /** Server id key of the adapter's reference of the call object. */
  public static final String REF = "pjsua.ref";

  /** The INVITE header that carries the call's marker ({@code <instanceId>.<uuid>}). */
  public static final String MARKER_HEADER = "X-SipAdapter-Call";

  static final int INV_EARLY = 3, INV_CONFIRMED = 5, INV_DISCONNECTED = 6;
  static final int MEDIA_ACTIVE = 1, MEDIA_LOCAL_HOLD = 2, MEDIA_REMOTE_HOLD = 3;

  private final PjsuaDriver driver;

  /**
   * Creates an adapter on the real pjsua2 binding: {@code pjsua2.jar} must be on the class path,
   * and {@code libpjsua2.so} on {@code java.library.path} when {@link #connect()} runs.
   *
   * @param config the config
   * @throws org.sipadapter.ConfigurationException if the binding's classes are not on the class
   *     path (or the compile-only declarations stand in for them)
   */
  public PjsuaAdapter(AdapterConfig config) {
    this(config, Pjsua2Binding.backends());
  }

  /**
   * Creates an adapter on another backend, such as {@link InMemoryUserAgentBackend} (no native
   * library) in tests and demonstrations.
   *
   * @param config the config
   * @param backends makes one backend per connect
   */
  public PjsuaAdapter(AdapterConfig config, Supplier<? extends UserAgentBackend> backends) {
    super(config, core -> new PjsuaDriver(config, core, backends));
    this.driver = driver(PjsuaDriver.class);
  }

  /**
   * Returns the settings read from the config's options.
   *
   * @return the settings
   */
  public PjsuaSettings settings() {
    return driver.settings();
  }

  /** The driver, for tests of this package. */
  PjsuaDriver driver() {
    return driver;
  }
}
