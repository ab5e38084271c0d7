package org.sipadapter.asterisk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sipadapter.CallOptions;
import org.sipadapter.asterisk.ami.AmiAction;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.spi.WireField;

/** Input rules, request building, ids and causes: no I/O. */
class AsteriskWireRulesTest {
  private final AsteriskDriver driver =
      new AsteriskAdapter(AdapterConfig.builder("asterisk").server("127.0.0.1", 5038).build())
          .driver();

  /** The field a message names: {@code to}, {@code variable X}, {@code header name}, ... */
  private static WireField field(String label) {
    for (WireField f :
        new WireField[] {
          WireField.FROM,
          WireField.TO,
          WireField.CALLER_ID_NAME,
          WireField.CALLER_ID_NUMBER,
          WireField.VARIABLE_NAME,
          WireField.HEADER_NAME,
          WireField.TARGET,
          WireField.FILE_NAME,
          WireField.ROOM
        }) {
      if (f.toString().equals(label)) {
        return f;
      }
    }
    if (label.startsWith("variable ")) {
      return WireField.variable(label.substring("variable ".length()));
    }
    if (label.startsWith("header ")) {
      return WireField.header(label.substring("header ".length()));
    }
    return WireField.other(label);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "to|2000,1",
        "to|2000;2",
        "to|2000&PJSIP/3000",
        "target|20 01",
        "from|1000<x>",
        "callerIdName|Sales \"Team\"",
        "variable name|A=B",
        "variable X|1,B=2",
        "header X-A|a,b",
        "fileName|rec.wav,b",
        "room|7001&x"
      })
  void amiSeparatorsAreRefused(String field, String value) {
    assertThatThrownBy(() -> driver.checkWire(field(field), value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(field);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "to|2000",
        "to|2000@trunk",
        "to|+4930123",
        "fileName|/tmp/a-b.wav",
        "variable X|a=b"
      })
  void ordinaryValuesPass(String field, String value) {
    driver.checkWire(field(field), value);
  }

  @Test
  void crLfAndNulAreRefusedEverywhere() {
    for (String v : new String[] {"a\rb", "a\nb", "a\0b"}) {
      assertThatThrownBy(() -> driver.checkWire(WireField.other("anything"), v))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> AmiAction.of("Ping").add("X", v))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void actionIsWrittenAsCrlfLinesWithItsActionIdAndMasksSecretsInToString() {
    AmiAction login = AmiAction.of("Login").add("Username", "sdk").add("Secret", "s3cret").build();

    String wire = new String(login.toWireBytes("sa-1"), StandardCharsets.UTF_8);

    assertThat(wire)
        .isEqualTo("Action: Login\r\nActionID: sa-1\r\nUsername: sdk\r\nSecret: s3cret\r\n\r\n");
    assertThat(login.toString()).doesNotContain("s3cret");
  }

  @Test
  void originateUsesContextExtenPriorityByDefault() {
    AsteriskSettings s =
        AsteriskSettings.from(
            AdapterConfig.builder("asterisk")
                .option("channel", "PJSIP/{to}@trunk")
                .option("exten", "s")
                .build());
    OriginateRequest r =
        OriginateRequest.of(s, "1000", "2000", CallOptions.DEFAULTS, Duration.ofSeconds(45), "id");

    AmiAction a = r.toAction();

    assertThat(a.get("Channel")).isEqualTo("PJSIP/2000@trunk");
    assertThat(a.get("Context")).isEqualTo("from-sdk");
    assertThat(a.get("Exten")).isEqualTo("s");
    assertThat(a.get("Priority")).isEqualTo("1");
    assertThat(a.get("Timeout")).isEqualTo("45000");
    assertThat(a.get("ChannelId")).isEqualTo("id");
    assertThat(a.get("OtherChannelId")).isEqualTo("id-2");
    assertThat(a.get("EarlyMedia")).isNull();
  }

  @Test
  void presetIdsAreCallMarkersAndOtherIdsAreNot() {
    String marker = "0123456789ab.5f0c3a1e-2b4d-4c6e-8f10-123456789abc";
    assertThat(AsteriskDriver.markerOf(marker)).isEqualTo(marker);
    assertThat(AsteriskDriver.markerOf(marker + "-2")).isEqualTo(marker);
    assertThat(AsteriskDriver.markerOf(marker + "-3")).isNull();
    assertThat(AsteriskDriver.markerOf("5f0c3a1e-2b4d-4c6e-8f10-123456789abc")).isNull();
    assertThat(AsteriskDriver.markerOf("1795671312.6")).isNull();
    assertThat(AsteriskDriver.markerOf("pbx-1-1795671312.6")).isNull();
    assertThat(AsteriskDriver.markerOf("")).isNull();
  }

  @ParameterizedTest
  @CsvSource({"0,1", "3,19", "5,17", "8,34", "1,21"})
  void originateReasonsMapToQ850Causes(int reason, int q850) {
    assertThat(AsteriskDriver.causeOfReason(reason, Optional.empty()).q850()).isEqualTo(q850);
  }

  @Test
  void dialStatusExplainsAnOtherwiseVagueReason() {
    assertThat(AsteriskDriver.causeOfReason(1, Optional.of("BUSY")).q850()).isEqualTo(17);
    assertThat(AsteriskDriver.causeOfDialStatus("CHANUNAVAIL").q850()).isEqualTo(44);
  }

  @ParameterizedTest
  @CsvSource({
    "11.0.0,Asterisk 22",
    "5.0.0,Asterisk 16",
    "9.1.2,Asterisk 20",
    "2.10.4,Asterisk 13/14"
  })
  void bannerVersionNamesTheRelease(String ami, String release) {
    assertThat(AsteriskDriver.describeVersion(ami, "")).startsWith(release).contains(ami);
  }
}
