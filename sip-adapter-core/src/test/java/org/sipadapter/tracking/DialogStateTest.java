package org.sipadapter.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.sipadapter.CallState;

class DialogStateTest {

  @Test
  void numbersOneToFiveAreTheDialogModuleStates() {
    assertThat(DialogState.of(1)).isEqualTo(DialogState.UNCONFIRMED);
    assertThat(DialogState.of(2)).isEqualTo(DialogState.EARLY);
    assertThat(DialogState.of(3)).isEqualTo(DialogState.CONFIRMED_NOT_ACKED);
    assertThat(DialogState.of(4)).isEqualTo(DialogState.CONFIRMED);
    assertThat(DialogState.of(5)).isEqualTo(DialogState.DELETED);
    assertThat(DialogState.CONFIRMED.code()).isEqualTo(4);
  }

  @Test
  void anyOtherNumberIsUnknown() {
    assertThat(DialogState.of(0)).isEqualTo(DialogState.UNKNOWN);
    assertThat(DialogState.of(6)).isEqualTo(DialogState.UNKNOWN);
    assertThat(DialogState.of(-1)).isEqualTo(DialogState.UNKNOWN);
  }

  @Test
  void onlyDeletedHasEndedAndOnlyConfirmedStatesAreAnswered() {
    for (DialogState s : DialogState.values()) {
      assertThat(s.ended()).as(s.name()).isEqualTo(s == DialogState.DELETED);
      assertThat(s.answered())
          .as(s.name())
          .isEqualTo(s == DialogState.CONFIRMED || s == DialogState.CONFIRMED_NOT_ACKED);
    }
  }

  @Test
  void mapsToDialingRingingConnectedAndDisconnected() {
    assertThat(DialogState.UNCONFIRMED.toCallState()).isEqualTo(CallState.DIALING);
    assertThat(DialogState.UNKNOWN.toCallState()).isEqualTo(CallState.DIALING);
    assertThat(DialogState.EARLY.toCallState()).isEqualTo(CallState.RINGING);
    assertThat(DialogState.CONFIRMED_NOT_ACKED.toCallState()).isEqualTo(CallState.CONNECTED);
    assertThat(DialogState.CONFIRMED.toCallState()).isEqualTo(CallState.CONNECTED);
    assertThat(DialogState.DELETED.toCallState()).isEqualTo(CallState.DISCONNECTED);
  }
}
