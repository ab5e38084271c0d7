package org.sipadapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipadapter.spi.WireField;

class WireChecksTest {
  private final List<String> seen = new ArrayList<>();
  private final WireChecks checks =
      new WireChecks(
          (field, value) -> {
            seen.add(field + "=" + value);
            if (value.contains(";")) {
              throw new IllegalArgumentException(field + " must not contain ';'");
            }
          });

  @Test
  void everyValueOfACallReachesTheProtocolRuleAsItsTypedField() {
    CallOptions options =
        CallOptions.builder()
            .callerIdName("Alice")
            .callerIdNumber("1000")
            .variable("ref", "42")
            .header("X-Ref", "7")
            .build();

    checks.call("1000", "2000", options);

    assertThat(seen)
        .containsExactly(
            "from=1000",
            "to=2000",
            "callerIdName=Alice",
            "callerIdNumber=1000",
            "variable name=ref",
            "variable ref=42",
            "header name=X-Ref",
            "header X-Ref=7");
  }

  @Test
  void controlCharactersAreRefusedBeforeTheDriverSeesTheValue() {
    assertThatThrownBy(() -> checks.check(WireField.TO, "2000\r\nAction: Originate"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("to");
    assertThat(seen).isEmpty();
  }

  @Test
  void blankRequiredValuesAndNullsAreRefusedNamingTheField() {
    assertThatThrownBy(() -> checks.required(WireField.TARGET, " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("target must not be blank");
    assertThatThrownBy(() -> checks.check(WireField.ROOM, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("room");
    assertThat(seen).isEmpty();
  }

  @Test
  void theProtocolRuleRefusesWhatItsProtocolReserves() {
    assertThatThrownBy(() -> checks.check(WireField.variable("x"), "a;b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("variable x must not contain ';'");
  }

  @Test
  void headerNamesAreTokens() {
    assertThatThrownBy(() -> checks.headerName("X Ref"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("header name");
  }

  @Test
  void dtmfDigitsAreTheSixteenKeys() {
    WireChecks.dtmf("0123456789*#ABCD");
    assertThatThrownBy(() -> WireChecks.dtmf("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WireChecks.dtmf("12E"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'E'");
  }
}
