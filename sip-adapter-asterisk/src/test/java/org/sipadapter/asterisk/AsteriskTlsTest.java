package org.sipadapter.asterisk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.CallState;
import org.sipadapter.ConnectionState;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.TlsSettings;
import org.sipadapter.testkit.ami.AmiEmulator;
import org.sipadapter.testkit.ami.AmiMessage;
import org.sipadapter.testkit.emulator.Frame;
import org.sipadapter.testkit.tck.EventRecorder;
import org.sipadapter.testkit.tls.TestCertificates;

/**
 * AMI over TLS (Asterisk's {@code tlsenable}) against the emulator serving the test certificate.
 */
class AsteriskTlsTest {
  private final List<SipAdapter> adapters = new ArrayList<>();
  private final EventRecorder events = new EventRecorder();
  private AmiEmulator pbx;

  @AfterEach
  void stop() {
    adapters.forEach(SipAdapter::close);
    if (pbx != null) {
      pbx.close();
    }
  }

  private void serveTls(SSLContext certificate) {
    pbx = AmiEmulator.create();
    pbx.tls(certificate);
    pbx.start();
  }

  private SipAdapter adapter(TlsSettings tls) {
    SipAdapter a =
        SipAdapters.create(
            AdapterConfig.builder("asterisk")
                .name("pbx-tls")
                .server(pbx.host(), pbx.port())
                .auth("admin", "amipass")
                .tls(tls)
                .build());
    adapters.add(a);
    a.addListener(events);
    return a;
  }

  @Test
  void logsInAndPlacesACallOverTlsWhenTheTrustStoreHoldsTheCertificate() {
    serveTls(TestCertificates.serverContext());
    SipAdapter a = adapter(TestCertificates.trustingTestCertificates());

    a.connect();
    String callId = a.makeCall("1000", "2000");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> events.states(callId).contains(CallState.CONNECTED));
    a.hangup(callId);
    await().atMost(Duration.ofSeconds(60)).until(() -> events.ended(callId));

    assertThat(a.connectionState()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(pbx.isTls()).isTrue();
    List<String> actions = new ArrayList<>();
    for (Frame f : pbx.receivedFrames()) {
      actions.add(AmiMessage.parse(f.bytes()).get("Action", ""));
    }
    assertThat(actions).contains("Login", "Originate", "Hangup");
  }

  @Test
  void anUntrustedCertificateFailsTheConnectWithAnAdapterConnectionException() {
    serveTls(TestCertificates.strangerContext());
    SipAdapter a = adapter(TestCertificates.trustingTestCertificates());

    assertThatThrownBy(a::connect)
        .isInstanceOf(AdapterConnectionException.class)
        .hasMessageContaining("TLS handshake with 127.0.0.1:" + pbx.port() + " failed")
        .hasMessageContaining("not trusted");
    assertThat(a.connectionState()).isEqualTo(ConnectionState.ERROR);
    assertThat(pbx.receivedFrames()).isEmpty();
  }

  @Test
  void theJvmTrustStoreAloneDoesNotTrustASelfSignedPbx() {
    serveTls(TestCertificates.serverContext());
    SipAdapter a = adapter(TlsSettings.SYSTEM_TRUST);

    assertThatThrownBy(a::connect)
        .isInstanceOf(AdapterConnectionException.class)
        .hasMessageContaining("tls.trustStore");
  }

  @Test
  void aTrustedCertificateForAnotherHostIsRefused() {
    serveTls(TestCertificates.wrongHostContext());
    SipAdapter a = adapter(TestCertificates.trustingTestCertificates());

    assertThatThrownBy(a::connect)
        .isInstanceOf(AdapterConnectionException.class)
        .hasMessageContaining("does not name '127.0.0.1'");
  }
}
