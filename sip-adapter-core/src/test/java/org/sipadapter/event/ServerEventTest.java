package org.sipadapter.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerEventTest {

  private static ServerEvent event(Map<String, String> fields) {
    return new ServerEvent("pbx", "asterisk", Instant.EPOCH, null, "VarSet", fields);
  }

  @Test
  void fieldsKeepTheServersOrderAndAnswerLookups() {
    Map<String, String> source = new LinkedHashMap<>();
    source.put("Event", "VarSet");
    source.put("Channel", "PJSIP/1000-00000001");
    source.put("Variable", "RTPAUDIOQOS");
    source.put("Value", "");

    Map<String, String> fields = event(source).fields();

    assertThat(fields.keySet()).containsExactly("Event", "Channel", "Variable", "Value");
    assertThat(fields.values()).containsExactly("VarSet", "PJSIP/1000-00000001", "RTPAUDIOQOS", "");
    assertThat(fields.get("Variable")).isEqualTo("RTPAUDIOQOS");
    assertThat(fields.get("variable")).isNull();
    assertThat(fields.containsKey("Value")).isTrue();
    assertThat(fields).isEqualTo(source).hasSameHashCodeAs(source);
    assertThat(fields.toString()).isEqualTo(source.toString());
  }

  @Test
  void fieldsAreACopyTheCallerCannotChange() {
    Map<String, String> source = new HashMap<>(Map.of("Uniqueid", "1700000000.1"));
    ServerEvent e = event(source);

    source.put("Uniqueid", "changed");
    source.put("Extra", "x");

    assertThat(e.fields()).containsExactly(Map.entry("Uniqueid", "1700000000.1"));
    assertThatThrownBy(() -> e.fields().put("Extra", "x"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> e.fields().remove("Uniqueid"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> e.fields().entrySet().iterator().next().setValue("x"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> e.fields().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aFieldWithoutValueIsKeptAsALinkedHashMapWouldKeepIt() {
    Map<String, String> source = new LinkedHashMap<>();
    source.put("Key", null);

    Map<String, String> fields = event(source).fields();

    assertThat(fields).containsKey("Key").hasSize(1);
    assertThat(fields.get("Key")).isNull();
  }
}
