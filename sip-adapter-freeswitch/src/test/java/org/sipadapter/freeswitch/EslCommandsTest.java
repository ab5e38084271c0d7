package org.sipadapter.freeswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EslCommandsTest {

  @Test
  void originatePutsVariablesInOneBlockAndQuotesValuesWithSpaces() {
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("origination_uuid", "u-1");
    vars.put("origination_caller_id_name", "Front Desk");
    assertThat(EslCommands.originate(vars, "user/2000", "&park()"))
        .isEqualTo(
            "originate {origination_uuid=u-1,origination_caller_id_name='Front Desk'}user/2000 &park()");
  }

  @Test
  void separatorsAreRefusedAndSpacesOnlyWhereQuoted() {
    for (String bad : new String[] {"a,b", "a{", "a}", "a'b", "a\rb", "a\nb", "a\u0000b"}) {
      assertThat(EslCommands.hasSeparator(bad, false)).as(bad).isTrue();
    }
    assertThat(EslCommands.hasSeparator("a b", true)).isTrue();
    assertThat(EslCommands.hasSeparator("a b", false)).isFalse();
    assertThatThrownBy(() -> EslCommands.check("to", "20 00", false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("to ");
  }

  @Test
  void variableNamesAreLettersDigitsAndUnderscores() {
    assertThatThrownBy(() -> EslCommands.originate(Map.of("a=b", "1"), "user/1", "&park()"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void framesEndWithAnEmptyLineAndCarryTheJobUuidHeader() {
    assertThat(new String(EslCommands.frame("api status", null), StandardCharsets.UTF_8))
        .isEqualTo("api status\n\n");
    assertThat(new String(EslCommands.frame("bgapi status", "j-1"), StandardCharsets.UTF_8))
        .isEqualTo("bgapi status\nJob-UUID: j-1\n\n");
  }
}
