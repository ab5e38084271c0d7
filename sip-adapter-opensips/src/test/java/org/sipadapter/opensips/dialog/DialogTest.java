package org.sipadapter.opensips.dialog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipadapter.tracking.DialogCalls;
import org.sipadapter.tracking.DialogState;
import org.sipadapter.tracking.SnapshotChange;
import org.sipadapter.tracking.SnapshotDiffer;

class DialogTest {

  @Test
  void dialogsAreTrackedByDialogIdNotCallId() {
    SnapshotDiffer<String, Dialog> differ =
        new SnapshotDiffer<>(DialogCalls::key, d -> d.state().ended(), Dialog::state);
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
  void carriesItsIdsAndAnswerTimeAsAProxyDialog() {
    Dialog d = dialog("1a.1", "c", DialogState.CONFIRMED, 1795670874L);
    assertThat(d.serverIds()).containsEntry("dialog", "1a.1").containsEntry("Call-ID", "c");
    assertThat(d.answeredAtEpochSeconds()).isEqualTo(1795670874L);
  }

  private static Dialog dialog(String id, String callId, DialogState state, long start) {
    return new Dialog(id, callId, "sip:a@h", "sip:b@h", state, start, "ft", "tt");
  }
}
