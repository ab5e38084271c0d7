package org.sipadapter.kamailio.dialog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallState;
import org.sipadapter.kamailio.Fixtures;

class DialogTableTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static List<Dialog> dialogs(String fixture) throws Exception {
    JsonNode result = JSON.readTree(Fixtures.responseBody(fixture)).get("result");
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
  void firstSnapshotReportsEveryLiveDialogAsAppeared() throws Exception {
    DialogTable table = new DialogTable();
    List<DialogChange> changes = table.update(dialogs("dlg.list-two-active.txt"));
    assertThat(changes).hasSize(3).allMatch(c -> c instanceof DialogChange.Appeared);
    assertThat(table.update(dialogs("dlg.list-two-active.txt"))).isEmpty();
  }

  @Test
  void dialogMissingFromTheNextSnapshotHasEndedAfterAnswer() throws Exception {
    DialogTable table = new DialogTable();
    table.update(dialogs("dlg.list-two-active.txt"));

    List<DialogChange> changes = table.update(dialogs("dlg.list-after.txt"));

    assertThat(changes).singleElement().isInstanceOf(DialogChange.Ended.class);
    DialogChange.Ended ended = (DialogChange.Ended) changes.get(0);
    assertThat(ended.dialog().callId()).isEqualTo("2-32556@127.0.0.1");
    assertThat(ended.wasAnswered()).isTrue();
    assertThat(table.live()).hasSize(2);
  }

  @Test
  void deletedStateCountsAsEndedAndStateMovesAreReported() {
    DialogTable table = new DialogTable();
    Dialog early = dialog("a", DialogState.EARLY, 0);
    Dialog gone = dialog("b", DialogState.UNCONFIRMED, 0);
    table.update(List.of(early, gone));

    List<DialogChange> changes =
        table.update(
            List.of(dialog("a", DialogState.CONFIRMED, 10), dialog("b", DialogState.DELETED, 0)));

    assertThat(changes).hasSize(2);
    assertThat(changes.get(0)).isInstanceOf(DialogChange.Ended.class);
    assertThat(((DialogChange.Ended) changes.get(0)).wasAnswered()).isFalse();
    assertThat(changes.get(1))
        .isEqualTo(
            new DialogChange.StateChanged(
                DialogState.EARLY, dialog("a", DialogState.CONFIRMED, 10)));
  }

  @Test
  void deletedDialogNeverSeenAliveIsIgnored() {
    assertThat(new DialogTable().update(List.of(dialog("z", DialogState.DELETED, 5)))).isEmpty();
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
