package org.sipadapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sipadapter.CallState.CONNECTED;
import static org.sipadapter.CallState.DIALING;
import static org.sipadapter.CallState.DISCONNECTED;
import static org.sipadapter.CallState.EARLY_MEDIA;
import static org.sipadapter.CallState.FAILED;
import static org.sipadapter.CallState.ON_HOLD;
import static org.sipadapter.CallState.RINGING;
import static org.sipadapter.CallState.TRANSFERRING;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallStateTest {
  private static final Map<CallState, Set<CallState>> TABLE =
      Map.of(
          DIALING, EnumSet.of(RINGING, EARLY_MEDIA, CONNECTED, DISCONNECTED, FAILED),
          RINGING, EnumSet.of(EARLY_MEDIA, CONNECTED, DISCONNECTED, FAILED),
          EARLY_MEDIA, EnumSet.of(RINGING, CONNECTED, DISCONNECTED, FAILED),
          CONNECTED, EnumSet.of(ON_HOLD, TRANSFERRING, DISCONNECTED),
          ON_HOLD, EnumSet.of(CONNECTED, TRANSFERRING, DISCONNECTED),
          TRANSFERRING, EnumSet.of(CONNECTED, ON_HOLD, DISCONNECTED),
          DISCONNECTED, EnumSet.noneOf(CallState.class),
          FAILED, EnumSet.noneOf(CallState.class));

  @Test
  void theTransitionTableAllowsExactlyTheDocumentedMoves() {
    for (CallState from : CallState.values()) {
      for (CallState to : CallState.values()) {
        assertThat(from.canMoveTo(to))
            .as(from + " -> " + to)
            .isEqualTo(TABLE.get(from).contains(to));
      }
    }
  }

  @Test
  void anAnsweredCallCannotFailAndNoStateMovesToItself() {
    for (CallState s : CallState.values()) {
      assertThat(s.canMoveTo(s)).isFalse();
      if (s.isAnswered()) {
        assertThat(s.canMoveTo(FAILED)).isFalse();
      }
    }
  }

  @Test
  void terminalAndAnsweredStatesAreClassified() {
    assertThat(EnumSet.allOf(CallState.class))
        .filteredOn(CallState::isTerminal)
        .containsExactlyInAnyOrder(DISCONNECTED, FAILED);
    assertThat(EnumSet.allOf(CallState.class))
        .filteredOn(CallState::isAnswered)
        .containsExactlyInAnyOrder(CONNECTED, ON_HOLD, TRANSFERRING);
  }
}
