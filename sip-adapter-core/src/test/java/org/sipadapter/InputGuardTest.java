package org.sipadapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InputGuardTest {

  @ParameterizedTest
  @ValueSource(strings = {"10\r00", "10\n00", "10\u000000", "10\u000700", "10\u007f00"})
  void refusesLineBreaksNulAndControlCharacters(String value) {
    assertThatThrownBy(() -> InputGuard.check("to", value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("to contains ")
        .hasMessageContaining("at index 2");
  }

  @Test
  void namesTheCharacterItRefused() {
    assertThatThrownBy(() -> InputGuard.check("to", "a\rb"))
        .hasMessageContaining("carriage return (CR)");
    assertThatThrownBy(() -> InputGuard.check("to", "a\nb")).hasMessageContaining("line feed (LF)");
    assertThatThrownBy(() -> InputGuard.check("to", "a\0b")).hasMessageContaining("NUL");
  }

  @Test
  void acceptsOrdinaryValuesTabsAndUnicode() {
    assertThat(InputGuard.check("to", "sip:2000@example.com;transport=tcp"))
        .isEqualTo("sip:2000@example.com;transport=tcp");
    assertThat(InputGuard.check("name", "Zoë\tMüller")).isEqualTo("Zoë\tMüller");
  }

  @Test
  void refusesTheProtocolsOwnSeparators() {
    assertThatThrownBy(() -> InputGuard.check("variable", "a,b", ",{}'"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("','");
    assertThat(InputGuard.check("variable", "ab", ",{}'")).isEqualTo("ab");
  }

  @Test
  void refusesNullAndBlank() {
    assertThatThrownBy(() -> InputGuard.check("to", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("to must not be null");
    assertThatThrownBy(() -> InputGuard.checkNotBlank("to", "  ", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("to must not be blank");
  }
}
