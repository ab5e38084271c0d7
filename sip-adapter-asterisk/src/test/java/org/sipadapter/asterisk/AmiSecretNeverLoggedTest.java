package org.sipadapter.asterisk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallState;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.testkit.ami.AmiEmulator;
import org.sipadapter.testkit.ami.AmiMessage;
import org.sipadapter.testkit.emulator.Frame;
import org.sipadapter.testkit.tck.EventRecorder;
import org.sipadapter.testkit.tck.LogCapture;

/**
 * With the MD5 login neither the secret nor the key made from it reaches a log line at any level
 * (the conformance suite checks the plain login the same way).
 */
class AmiSecretNeverLoggedTest {
  private static final String SECRET = "amipass";

  private final EventRecorder events = new EventRecorder();
  private final AmiEmulator pbx = AmiEmulator.create().start();
  private final LogCapture logs = LogCapture.start().orElseThrow();

  @AfterEach
  void release() {
    logs.close();
    pbx.close();
  }

  @Test
  void md5KeyAndSecretAreNeverLogged() {
    try (AsteriskAdapter a =
        new AsteriskAdapter(
            AdapterConfig.builder("asterisk")
                .name("pbx-md5")
                .server(pbx.host(), pbx.port())
                .auth("admin", SECRET)
                .option("authType", "md5")
                .timeouts(
                    new Timeouts(
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(30)))
                .build())) {
      a.addListener(events);
      a.connect();
      String callId = a.makeCall("1000", "2000");
      await().until(() -> events.states(callId).contains(CallState.CONNECTED));
      a.hangup(callId);
      await().until(() -> events.ended(callId));
    }
    String key = sentKey();
    List<String> lines = logs.lines();

    assertThat(key).hasSize(32);
    assertThat(lines).anyMatch(t -> t.contains("AmiAction[Login") && t.contains("Key: ***"));
    assertThat(lines).noneMatch(t -> t.contains(SECRET) || t.contains(key));
  }

  private String sentKey() {
    for (Frame f : pbx.receivedFrames()) {
      AmiMessage m = AmiMessage.parse(f.bytes());
      if (m.get("Action", "").equalsIgnoreCase("Login")) {
        return m.get("Key", "");
      }
    }
    throw new AssertionError("no Login reached the emulator");
  }
}
