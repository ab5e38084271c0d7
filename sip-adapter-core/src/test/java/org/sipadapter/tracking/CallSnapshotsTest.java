package org.sipadapter.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sipadapter.TrackedCallFixture.tracked;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallSnapshot;
import org.sipadapter.CallState;

class CallSnapshotsTest {

  record Item(String id, CallState state) {}

  @Test
  void callsBoundToLiveItemsGetTheItemsStateAndIdsInCallOrder() {
    List<CallSnapshot> out =
        CallSnapshots.matching(
            List.of(
                tracked("if://call/2", CallState.RINGING, Map.of("sip", "b")),
                tracked("if://call/1", CallState.DIALING, Map.of("sip", "a"))),
            "sip",
            Map.of("a", new Item("a", CallState.CONNECTED), "b", new Item("b", CallState.RINGING)),
            Item::state,
            i -> Map.of("sip", i.id(), "extra", "x"));

    assertThat(out)
        .containsExactly(
            new CallSnapshot("if://call/2", CallState.RINGING, Map.of("sip", "b", "extra", "x")),
            new CallSnapshot("if://call/1", CallState.CONNECTED, Map.of("sip", "a", "extra", "x")));
  }

  @Test
  void callsWithoutALiveItemOrWithoutTheServerIdAreLeftOut() {
    List<CallSnapshot> out =
        CallSnapshots.matching(
            List.of(
                tracked("if://call/gone", CallState.CONNECTED, Map.of("sip", "gone")),
                tracked("if://call/unbound", CallState.DIALING, Map.of("other", "a"))),
            "sip",
            Map.of("a", new Item("a", CallState.CONNECTED)),
            Item::state,
            i -> Map.of());

    assertThat(out).isEmpty();
  }
}
