package org.sipadapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CallMarkersTest {
  private final CallMarkers mine = new CallMarkers("0123456789ab");
  private final CallMarkers theirs = new CallMarkers("ba9876543210");

  private static CallEntry call(String uuid) {
    return (CallEntry) TrackedCallFixture.tracked("if://call/" + uuid, CallState.DIALING, Map.of());
  }

  @Test
  void aCallsMarkerNamesTheInstanceAndTheCallAndReadsBackToTheCallId() {
    CallEntry c = call("6f1c2a3e-0000-4000-8000-00000000abcd");

    String marker = mine.of(c);

    assertThat(marker).isEqualTo("0123456789ab.6f1c2a3e-0000-4000-8000-00000000abcd");
    assertThat(mine.callIdOf(marker)).contains(c.callId());
    assertThat(mine.isForeign(marker)).isFalse();
  }

  @Test
  void anotherInstancesMarkerIsForeignAndNamesNoCallOfOurs() {
    String marker = theirs.of(call("6f1c2a3e-0000-4000-8000-00000000abcd"));

    assertThat(mine.callIdOf(marker)).isEmpty();
    assertThat(mine.isForeign(marker)).isTrue();
  }

  @Test
  void textThatIsNoMarkerIsNeitherOursNorForeign() {
    for (String s : new String[] {null, "", "1700000000.42", "0123456789ab", "xyz456789abc.1"}) {
      assertThat(mine.callIdOf(s)).as("%s", s).isEmpty();
      assertThat(mine.isForeign(s)).as("%s", s).isFalse();
    }
  }

  @Test
  void everyAdapterGetsItsOwnInstanceId() {
    assertThat(CallMarkers.random().instanceId())
        .matches("[0-9a-f]{12}")
        .isNotEqualTo(CallMarkers.random().instanceId());
    assertThatThrownBy(() -> new CallMarkers("short")).isInstanceOf(IllegalArgumentException.class);
  }
}
