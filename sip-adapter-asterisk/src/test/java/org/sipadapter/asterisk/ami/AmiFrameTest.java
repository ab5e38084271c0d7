package org.sipadapter.asterisk.ami;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AmiFrameTest {

  private final AmiFrame hangup =
      AmiFrame.of(
          "Event", "Hangup", "Uniqueid", "1795671312.6", "Cause", "17", "Cause-txt", "User busy");

  @Test
  void lookupsIgnoreAsciiCaseOfTheKey() {
    assertThat(hangup.get("uniqueid")).contains("1795671312.6");
    assertThat(hangup.has("CAUSE")).isTrue();
    assertThat(hangup.get("Channel")).isEmpty();
    assertThat(hangup.getOrDefault("Channel", "none")).isEqualTo("none");
  }

  @Test
  void typeAndNameComeFromTheFirstHeader() {
    assertThat(hangup.type()).isEqualTo(AmiFrameType.EVENT);
    assertThat(hangup.name()).isEqualTo("Hangup");
    assertThat(hangup.isEvent("hangup")).isTrue();
    assertThat(AmiFrame.of("Response", "Success").type()).isEqualTo(AmiFrameType.RESPONSE);
    assertThat(AmiFrame.of("Action", "Ping").type()).isEqualTo(AmiFrameType.ACTION);
    assertThat(AmiFrame.of("Foo", "Bar").type()).isEqualTo(AmiFrameType.UNKNOWN);
  }

  @Test
  void intValueParsesWithoutFallingOverOnJunk() {
    assertThat(hangup.intValue("Cause", -1)).isEqualTo(17);
    assertThat(hangup.intValue("Cause-txt", -1)).isEqualTo(-1);
    assertThat(hangup.intValue("Missing", -1)).isEqualTo(-1);
    assertThat(AmiFrame.of("Event", "X", "N", "-5").intValue("N", 0)).isEqualTo(-5);
    assertThat(AmiFrame.of("Event", "X", "N", "99999999999").intValue("N", 0)).isEqualTo(0);
  }

  @Test
  void valueComparisonIgnoresCase() {
    assertThat(hangup.valueEqualsIgnoreCase("Cause-txt", "user BUSY")).isTrue();
    assertThat(hangup.valueEqualsIgnoreCase("Cause-txt", "user")).isFalse();
  }

  @Test
  void mapViewHoldsTheFirstValueOfEachKeyInWireOrder() {
    AmiFrame frame = AmiFrame.of("Event", "VarSet", "Variable", "A", "Variable", "B", "Value", "1");
    assertThat(frame.asMap())
        .containsExactly(
            java.util.Map.entry("Event", "VarSet"),
            java.util.Map.entry("Variable", "A"),
            java.util.Map.entry("Value", "1"));
    assertThat(frame.asMap().get("variable")).isEqualTo("A");
  }

  @Test
  void toStringMasksSecrets() {
    AmiFrame login = AmiFrame.of("Action", "Login", "Username", "admin", "Secret", "amipass");
    assertThat(login.toString()).contains("admin").doesNotContain("amipass");
    assertThat(AmiFrame.of("Action", "Login", "Key", "abc123").toString()).doesNotContain("abc123");
  }

  @Test
  void wireBytesUseCrlfAndEndWithAnEmptyLine() {
    assertThat(new String(AmiFrame.of("Action", "Ping", "ActionID", "1").toWireBytes()))
        .isEqualTo("Action: Ping\r\nActionID: 1\r\n\r\n");
  }

  @Test
  void badIndexIsRejected() {
    assertThatThrownBy(() -> hangup.key(4)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  private static boolean anyOmitted(AmiFrame frame) {
    for (int i = 0; i < frame.size(); i++) {
      if (frame.omitted(i)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aKeyLooksSecretWhenItHoldsSecretOrPasswordOrIsKeyIgnoringCase() {
    assertThat(anyOmitted(AmiFrame.of("Event", "UserEvent", "DeviceSECRET", "x"))).isTrue();
    assertThat(anyOmitted(AmiFrame.of("Event", "UserEvent", "my_password_2", "x"))).isTrue();
    assertThat(anyOmitted(AmiFrame.of("Event", "UserEvent", "KEY", "x"))).isTrue();
    assertThat(anyOmitted(AmiFrame.of("Event", "UserEvent", "Keys", "x", "Secre", "t"))).isFalse();
    assertThat(anyOmitted(hangup)).isFalse();
    // The values are not looked at.
    assertThat(anyOmitted(AmiFrame.of("Event", "UserEvent", "Data", "secret password key")))
        .isFalse();
  }

  @Test
  void secretLookingHeadersAreNotInTheFramesLazyFields() {
    AmiFrame auth =
        AmiFrame.of(
            "Event",
            "SuccessfulAuth",
            "UsingPassword",
            "1",
            "Secret",
            "s3cr3t",
            "Key",
            "k",
            "AccountID",
            "2000");

    assertThat(org.sipadapter.event.LazyFields.of(auth))
        .containsExactly(
            java.util.Map.entry("Event", "SuccessfulAuth"),
            java.util.Map.entry("AccountID", "2000"));
    assertThat(org.sipadapter.event.LazyFields.of(auth).toString())
        .doesNotContain("s3cr3t")
        .doesNotContain("UsingPassword");
  }

  @Test
  void theFrameServesAsTheLazyFieldsOfAServerEvent() {
    AmiFrame frame = AmiFrame.of("Event", "VarSet", "Variable", "a", "Value", "1", "Variable", "b");

    assertThat(org.sipadapter.event.LazyFields.of(frame))
        .containsExactly(
            java.util.Map.entry("Event", "VarSet"),
            java.util.Map.entry("Variable", "a"),
            java.util.Map.entry("Value", "1"))
        .isEqualTo(frame.asMap());
  }
}
