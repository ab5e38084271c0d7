package org.sipadapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CallEntryTest {

  private static CallEntry call() {
    return new CallEntry(
        "c1", CallDirection.INBOUND, "sip:a@h", "sip:b@h", CallOptions.DEFAULTS, CallState.RINGING);
  }

  @Test
  void serverIdsAreAnImmutableCopyMadeAgainOnlyWhenAnIdChanges() {
    CallEntry call = call();
    assertThat(call.serverIds()).isEmpty();

    call.putServerId("Uniqueid", "1.1");
    Map<String, String> first = call.serverIds();
    assertThat(first).containsExactly(Map.entry("Uniqueid", "1.1"));
    assertThat(call.serverIds()).as("no change, no new copy").isSameAs(first);

    call.putServerId("Uniqueid", "1.1");
    assertThat(call.serverIds()).as("the same value again").isSameAs(first);

    call.putServerId("Linkedid", "1.0");
    assertThat(call.serverIds())
        .isEqualTo(Map.of("Uniqueid", "1.1", "Linkedid", "1.0"))
        .isNotSameAs(first);
    assertThat(first).as("a copy handed out never changes").hasSize(1);
    assertThatThrownBy(() -> call.serverIds().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> call.currentServerIds().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
