package org.sipadapter.kamailio.dialog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallState;
import org.sipadapter.kamailio.RecordedRpc;
import org.sipadapter.tracking.DialogCalls;
import org.sipadapter.tracking.DialogState;
import org.sipadapter.tracking.SnapshotChange;
import org.sipadapter.tracking.SnapshotDiffer;

class DialogTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static List<Dialog> dialogs(String fixture) throws Exception {
    JsonNode result = JSON.readTree(RecordedRpc.responseBody(fixture)).get("result");
    List<Dialog> out = new ArrayList<>();
    result.forEach(n -> out.add(Dialog.fromJson(n)));
    return out;
  }

  @Test
  void readsDialogObjectsAsRecorded() throws Exception {
    Dialog d = dialogs("dlg.list-two-active.txt").get(0);
    assertThat(d.key()).isEqualTo(new DialogKey(296, 11311));
    assertThat(d.callId()).isEqualTo("2-32556@127.0.0.1");
    assertThat(d.fromUri()).isEqualTo("sip:sipp@127.0.0.1:5190");
    assertThat(d.toUri()).isEqualTo("sip:2000@127.0.0.1:5160");
    assertThat(d.state()).isEqualTo(DialogState.CONFIRMED_NOT_ACKED);
    assertThat(d.state().toCallState()).isEqualTo(CallState.CONNECTED);
    assertThat(d.fromTag()).isEqualTo("32556SIPpTag002");
    assertThat(d.toTag()).isEqualTo("32553SIPpTag013");
    assertThat(d.startTs()).isEqualTo(1795670874L);
    assertThat(d.callerCseq()).isEqualTo("1");
  }

  @Test
  void firstListReportsEveryLiveDialogAsAppeared() throws Exception {
    SnapshotDiffer<String, Dialog> differ = differ();
    List<SnapshotChange<Dialog>> changes = differ.update(dialogs("dlg.list-two-active.txt"));
    assertThat(changes).hasSize(3).allMatch(c -> c instanceof SnapshotChange.Appeared);
    assertThat(differ.update(dialogs("dlg.list-two-active.txt"))).isEmpty();
  }

  @Test
  void dialogMissingFromTheNextListHasEndedAfterAnswer() throws Exception {
    SnapshotDiffer<String, Dialog> differ = differ();
    differ.update(dialogs("dlg.list-two-active.txt"));

    List<SnapshotChange<Dialog>> changes = differ.update(dialogs("dlg.list-after.txt"));

    assertThat(changes).singleElement().isInstanceOf(SnapshotChange.Ended.class);
    Dialog ended = changes.get(0).item();
    assertThat(ended.callId()).isEqualTo("2-32556@127.0.0.1");
    assertThat(ended.answeredAtEpochSeconds()).isPositive();
    assertThat(differ.live()).hasSize(2);
  }

  @Test
  void deletedStateCountsAsEndedAndStateMovesAreReported() {
    SnapshotDiffer<String, Dialog> differ = differ();
    Dialog early = dialog("a", DialogState.EARLY, 0);
    Dialog gone = dialog("b", DialogState.UNCONFIRMED, 0);
    differ.update(List.of(early, gone));

    List<SnapshotChange<Dialog>> changes =
        differ.update(
            List.of(dialog("a", DialogState.CONFIRMED, 10), dialog("b", DialogState.DELETED, 0)));

    assertThat(changes).hasSize(2);
    assertThat(changes.get(0)).isInstanceOf(SnapshotChange.Ended.class);
    assertThat(changes.get(0).item().answeredAtEpochSeconds()).isZero();
    assertThat(changes.get(1))
        .isEqualTo(new SnapshotChange.Changed<>(early, dialog("a", DialogState.CONFIRMED, 10)));
  }

  @Test
  void deletedDialogNeverSeenAliveIsIgnored() {
    assertThat(differ().update(List.of(dialog("z", DialogState.DELETED, 5)))).isEmpty();
  }

  @Test
  void carriesBothIdsAsServerIds() throws Exception {
    Dialog d = dialogs("dlg.list-two-active.txt").get(0);
    assertThat(d.serverIds())
        .containsExactlyInAnyOrderEntriesOf(
            java.util.Map.of("Call-ID", "2-32556@127.0.0.1", "dialog", "296:11311"));
  }

  /** The differ the shared dialog tracker polls with. */
  private static SnapshotDiffer<String, Dialog> differ() {
    return new SnapshotDiffer<>(DialogCalls::key, d -> d.state().ended(), Dialog::state);
  }

  private static Dialog dialog(String callId, DialogState state, long startTs) {
    return new Dialog(
        new DialogKey(1, callId.hashCode()),
        callId,
        "sip:a@h",
        "sip:b@h",
        state,
        startTs,
        1,
        "ft",
        "tt",
        "1");
  }
}
