package org.sipadapter.opensips;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.sipadapter.CallStatus;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.testkit.opensips.OpenSipsEmulator;
import org.sipadapter.testkit.tck.Destination;
import org.sipadapter.testkit.tck.SipAdapterConformanceSuite;
import org.sipadapter.testkit.tck.TckCapability;
import org.sipadapter.testkit.tck.TckFixture;

/**
 * The conformance suite against the OpenSIPS emulator, in event_stream mode with UA sessions
 * (b2b_entities): calls are placed with {@code ua_session_client_start}, inbound calls arrive as
 * sessions of the script's {@code ua_session_server_init}. The fault proxy sits in front of the MI
 * (the emulator connects straight to the adapter's event listener).
 */
class OpenSipsConformanceTest extends SipAdapterConformanceSuite {

  @Override
  protected TckFixture createFixture() {
    return new EmulatorFixture();
  }

  /** One emulator for the whole class; dialogs left by a test are ended before the next. */
  static final class EmulatorFixture implements TckFixture {
    private final OpenSipsEmulator opensips = new OpenSipsEmulator().start();

    @Override
    public SipAdapter createAdapter(AdapterConfig config) {
      opensips.liveDialogIds().forEach(opensips::endDialog);
      opensips.uaSessions().clear();
      return new OpenSipsAdapter(config);
    }

    @Override
    public AdapterConfig config() {
      return AdapterConfig.builder(OpenSipsAdapterProvider.TYPE)
          .name("opensips-tck")
          .server(opensips.host(), opensips.port())
          .timeouts(
              new Timeouts(
                  Duration.ofSeconds(2),
                  Duration.ofSeconds(2),
                  Duration.ofSeconds(30),
                  Duration.ofSeconds(1)))
          .auth("", "unused-secret-4711")
          .option("eventPort", 0)
          .option("uaSessions", true)
          .option("uaSocket", "udp:127.0.0.1:5090")
          .build();
    }

    @Override
    public Set<TckCapability> capabilities() {
      return Set.of(
          TckCapability.FAULT_PROXY,
          TckCapability.REMOTE_HANGUP,
          TckCapability.INBOUND_CALL,
          TckCapability.STALL,
          TckCapability.LARGE_MESSAGE,
          TckCapability.MALFORMED_FRAMES,
          // a stalled MI request is carried out when the emulator resumes, as a thawed OpenSIPS
          TckCapability.LATE_ANSWER,
          // evi sends every event to every subscriber
          TckCapability.SECOND_CLIENT);
    }

    @Override
    public Optional<String> destination(Destination destination) {
      return Optional.of(
          switch (destination) {
            case ANSWERS -> "2000";
            case BUSY -> "busy";
            case UNKNOWN -> "sip:nobody@127.0.0.1:5090"; // the script's own 404
            case NO_ANSWER -> "noanswer";
          });
    }

    @Override
    public Optional<String> transferTarget() {
      return Optional.of("2001");
    }

    @Override
    public OptionalInt serverCalls() {
      return OptionalInt.of(opensips.heldCalls());
    }

    @Override
    public void hangupOnServer(CallStatus call) {
      String key = call.serverIds().get(OpenSipsAdapter.UA_KEY);
      if (key != null) {
        opensips.uaSessions().farEndHangup(key);
      } else {
        opensips.endDialog(call.serverIds().get(OpenSipsAdapter.DIALOG));
      }
    }

    /** An INVITE to {@code ua-<to>} that the script hands to {@code ua_session_server_init}. */
    @Override
    public void triggerInboundCall(String from, String to) {
      opensips
          .uaSessions()
          .incoming("sip:" + from + "@127.0.0.1:5081", "sip:ua-" + to + "@127.0.0.1:5090", "arh");
    }

    @Override
    public void stallServer() {
      opensips.stall();
    }

    @Override
    public void resumeServer() {
      opensips.restore();
    }

    @Override
    public void sendLargeMessage(int bytes) {
      opensips.sendLargeEvent(bytes);
    }

    @Override
    public void sendMalformedFrames() {
      opensips.sendRawToSubscribers(
          "not json ]] }} \u0000\u00ff\r\n{\"jsonrpc\":\"2.0\",\"method\":\u0000 {\"broken\":tru}"
              .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Override
    public Optional<AdapterConfig> configWithWrongCredentials() {
      return Optional.empty(); // mi_http has no authentication
    }

    @Override
    public boolean isSharedThread(String threadName) {
      return threadName.startsWith("OkHttp TaskRunner")
          || threadName.startsWith("Okio Watchdog")
          || threadName.startsWith("jsonrpc-emulator-");
    }

    @Override
    public void close() {
      opensips.close();
    }
  }
}
