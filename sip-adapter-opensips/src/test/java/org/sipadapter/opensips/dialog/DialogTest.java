package org.sipadapter.opensips.dialog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipadapter.tracking.DialogState;
import org.sipadapter.tracking.SnapshotChange;
import org.sipadapter.tracking.SnapshotDiffer;

class DialogTest {

  @Test
  void dialogsAreTrackedByDialogIdNotCallId() {
    SnapshotDiffer<String, Dialog> differ = Dialog.differ();
    differ.update(List.of(dialog("1a.1", "same", DialogState.EARLY, 0)));

    List<SnapshotChange<Dialog>> changes =
        differ.update(
            List.of(
                dialog("1a.1", "same", DialogState.EARLY, 0),
                dialog("1a.2", "same", DialogState.UNCONFIRMED, 0)));

    assertThat(changes)
        .containsExactly(
            new SnapshotChange.Appeared<>(dialog("1a.2", "same", DialogState.UNCONFIRMED, 0)));
  }

  @Test
  void dialogListedAsEndedWithAnAnswerTimeWasAnswered() {
    SnapshotDiffer<String, Dialog> differ = Dialog.differ();
    differ.update(List.of(dialog("1a.1", "c", DialogState.EARLY, 0)));

    SnapshotChange.Ended<Dialog> ended =
        endedOf(differ.update(List.of(dialog("1a.1", "c", DialogState.DELETED, 1795670874L))));

    assertThat(Dialog.wasAnswered(ended)).isTrue();
  }

  @Test
  void dialogLastSeenConfirmedWasAnsweredWhetherListedOrGone() {
    SnapshotDiffer<String, Dialog> listed = Dialog.differ();
    listed.update(List.of(dialog("1a.1", "c", DialogState.CONFIRMED, 0)));
    SnapshotDiffer<String, Dialog> gone = Dialog.differ();
    gone.update(List.of(dialog("1a.1", "c", DialogState.CONFIRMED_NOT_ACKED, 0)));

    assertThat(
            Dialog.wasAnswered(
                endedOf(listed.update(List.of(dialog("1a.1", "c", DialogState.DELETED, 0))))))
        .isTrue();
    assertThat(Dialog.wasAnswered(endedOf(gone.update(List.of())))).isTrue();
  }

  @Test
  void earlyDialogThatIsGoneWasNotAnswered() {
    SnapshotDiffer<String, Dialog> differ = Dialog.differ();
    differ.update(List.of(dialog("1a.1", "c", DialogState.EARLY, 0)));

    assertThat(Dialog.wasAnswered(endedOf(differ.update(List.of())))).isFalse();
  }

  private static SnapshotChange.Ended<Dialog> endedOf(List<SnapshotChange<Dialog>> changes) {
    assertThat(changes).singleElement().isInstanceOf(SnapshotChange.Ended.class);
    return (SnapshotChange.Ended<Dialog>) changes.get(0);
  }

  private static Dialog dialog(String id, String callId, DialogState state, long start) {
    return new Dialog(id, callId, "sip:a@h", "sip:b@h", state, start, "ft", "tt");
  }
}
