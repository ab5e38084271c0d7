package org.sipadapter.pjsua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipadapter.CallException;
import org.sipadapter.CallState;
import org.sipadapter.ConnectionState;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;
import org.sipadapter.testkit.tck.EventRecorder;
import org.sipadapter.testkit.tls.TestCertificates;

/**
 * The adapter on the real pjsua2 binding, with a SIPp UAS on loopback as the far end. Runs where
 * the real {@code pjsua2.jar} is on the class path in place of the compile-only declarations and
 * {@code libpjsua2.so} loads; skipped otherwise, with the reason. In the {@code pjsua2-binding}
 * profile ({@code pjsua2.binding=required}) a missing binding fails instead.
 */
class RealBindingTest {
  private static SippProcess peer;

  @BeforeEach
  void requireBinding() {
    boolean present = Pjsua2Binding.classesPresent();
    if (!present && "required".equals(System.getProperty("pjsua2.binding"))) {
      fail(
          "the pjsua2-binding profile is on but org.pjsip.pjsua2 is not the real binding: check"
              + " -Dpjsua2.jar (now "
              + System.getProperty("pjsua2.jar")
              + ")");
    }
    assumeTrue(
        present,
        "org.pjsip.pjsua2 resolves to the compile-only declarations (sip-adapter-pjsua-api): run"
            + " with -Ppjsua2-binding -Dpjsua2.jar=... -Dpjsua2.lib=... (see docs/pjsua.md)");
  }

  private static synchronized String answering() {
    if (peer == null) {
      peer = SippProcess.uas(UasScenario.ANSWER).start();
    }
    return "127.0.0.1:" + peer.port();
  }

  @AfterAll
  static void stopPeer() {
    if (peer != null) {
      peer.close();
    }
  }

  private static AdapterConfig.Builder local() {
    return AdapterConfig.builder(PjsuaAdapter.TYPE)
        .name("real-pjsua")
        .server("127.0.0.1", 15060)
        .option("domain", "127.0.0.1");
  }

  @Test
  void userAgentStartsAndStopsAndReportsTheLibraryVersion() {
    try (SipAdapter ua = SipAdapters.create(local().build())) {
      ua.connect();
      assertThat(ua.connectionState()).isEqualTo(ConnectionState.CONNECTED);
      assertThat(ua.serverVersion()).hasValue("2.17");
      assertThat(ua.healthCheck().details()).containsKeys("transport", "callsInUse", "capacity");
      ua.disconnect();
      assertThat(ua.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
    }
  }

  @Test
  void callsBeyondMaxCallsAreRefusedAndTheProcessLives() {
    // what the binding was built for (the pjsua2-binding profile passes them); 16 calls fit a
    // stock PJ_IOQUEUE_MAX_HANDLES of 64
    int maxCalls = Integer.getInteger("pjsua2.maxCalls", 16);
    int mediaHandles = Integer.getInteger("pjsua2.mediaHandles", 64);
    EventRecorder events = new EventRecorder();
    AdapterConfig config =
        local().option("maxCalls", maxCalls).option("mediaHandles", mediaHandles).build();
    try (SipAdapter ua = SipAdapters.create(config)) {
      ua.addListener(events);
      ua.connect();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < maxCalls; i++) {
        ids.add(ua.makeCall("1000", "sip:2000@" + answering()));
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> ids.stream().allMatch(id -> events.states(id).contains(CallState.CONNECTED)));

      assertThatThrownBy(() -> ua.makeCall("1000", "sip:2000@" + answering()))
          .isInstanceOf(CallException.class)
          .hasMessageContaining("options.maxCalls");
      ids.forEach(ua::hangup);
      await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream().allMatch(events::ended));
    }
  }

  @Test
  void recordingBridgeAndConferenceOnTheAudioBridge(@TempDir Path dir) throws Exception {
    EventRecorder events = new EventRecorder();
    try (SipAdapter ua =
        SipAdapters.create(local().option("recordingDirectory", dir.toString()).build())) {
      ua.addListener(events);
      ua.connect();
      String a = ua.makeCall("1000", "sip:2000@" + answering());
      String b = ua.makeCall("1000", "sip:2000@" + answering());
      String c = ua.makeCall("1000", "sip:2000@" + answering());
      for (String id : List.of(a, b, c)) {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> events.states(id).contains(CallState.CONNECTED));
      }

      ua.startRecording(a, "real-a");
      ua.bridge(a, b);
      ua.conference("room", a, b, c);
      ua.stopRecording(a);

      assertThat(new String(Files.readAllBytes(dir.resolve("real-a.wav")), 0, 4, "US-ASCII"))
          .isEqualTo("RIFF");
      for (String id : List.of(a, b, c)) {
        assertThat(ua.getStatus(id).state()).isEqualTo(CallState.CONNECTED);
        ua.hangup(id);
      }
    }
  }

  @Test
  void dtmfToASippPeerWithoutTelephoneEventArrivesAsSipInfo() {
    EventRecorder events = new EventRecorder();
    // SIPp's built-in uas answers with PCMU only; -aa answers the INFOs 200
    try (SippProcess infoPeer = SippProcess.uas(UasScenario.ANSWER).extraArgs("-aa").start();
        SipAdapter ua = SipAdapters.create(local().build())) {
      ua.addListener(events);
      ua.connect();
      String id = ua.makeCall("1000", "sip:2000@127.0.0.1:" + infoPeer.port());
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> events.states(id).contains(CallState.CONNECTED));

      ua.sendDtmf(id, "12#");

      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                String trace = infoPeer.messageTrace();
                return trace.contains("Signal=1")
                    && trace.contains("Signal=2")
                    && trace.contains("Signal=#");
              });
      assertThat(infoPeer.messageTrace()).contains("INFO sip:").contains("application/dtmf-relay");
      assertThat(ua.getStatus(id).state()).isEqualTo(CallState.CONNECTED);
      ua.hangup(id);
      await().atMost(Duration.ofSeconds(30)).until(() -> events.ended(id));
    }
  }

  @Test
  void srtpMandatoryOverTlsConnectsWithSdesKeys() throws Exception {
    EventRecorder events = new EventRecorder();
    try (SippProcess srtpPeer =
            SippProcess.uas(UasScenario.ANSWER)
                .scenarioResource("/org/sipadapter/pjsua/uas-answer-srtp.xml")
                .extraArgs("-t", "t1")
                .start();
        TlsFront front = new TlsFront(srtpPeer.port());
        SipAdapter ua =
            SipAdapters.create(
                local()
                    .server("127.0.0.1", 15080)
                    .tls(TestCertificates.trustingTestCertificates())
                    .option("transport", "tls")
                    .option("srtp", "mandatory")
                    .build())) {
      ua.addListener(events);
      ua.connect();
      String id = ua.makeCall("1000", "sip:2000@localhost:" + front.port() + ";transport=tls");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> events.states(id).contains(CallState.CONNECTED) || events.ended(id));

      assertThat(events.states(id)).as(srtpPeer.logText()).contains(CallState.CONNECTED);
      assertThat(srtpPeer.messageTrace()).contains("RTP/SAVP").contains("a=crypto:");
      ua.hangup(id);
      await().atMost(Duration.ofSeconds(30)).until(() -> events.ended(id));
    }
  }

  @Test
  void anOutboundProxyCarriesCallsToAnyDomain() {
    EventRecorder events = new EventRecorder();
    AdapterConfig config = local().option("outboundProxy", "sip:" + answering() + ";lr").build();
    try (SipAdapter ua = SipAdapters.create(config)) {
      ua.addListener(events);
      ua.connect();
      // example.invalid resolves nowhere: only the proxy can take the INVITE
      String id = ua.makeCall("1000", "sip:2000@example.invalid");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> events.states(id).contains(CallState.CONNECTED));
      ua.hangup(id);
    }
  }
}
