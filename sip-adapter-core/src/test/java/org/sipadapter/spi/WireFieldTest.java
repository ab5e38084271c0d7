package org.sipadapter.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WireFieldTest {

  @Test
  void aFieldIsNamedInMessagesAsTheApiSpellsIt() {
    assertThat(WireField.FROM).hasToString("from");
    assertThat(WireField.CALLER_ID_NAME).hasToString("callerIdName");
    assertThat(WireField.VARIABLE_NAME).hasToString("variable name");
    assertThat(WireField.variable("X-Ref")).hasToString("variable X-Ref");
    assertThat(WireField.header("X-Ref")).hasToString("header X-Ref");
    assertThat(WireField.FILE_NAME).hasToString("fileName");
    assertThat(WireField.other("message name")).hasToString("message name");
  }

  @Test
  void aVariableKeepsItsNameApartFromItsKind() {
    WireField f = WireField.variable("origination_uuid");

    assertThat(f.kind()).isEqualTo(WireField.Kind.VARIABLE);
    assertThat(f.name()).isEqualTo("origination_uuid");
  }
}
