package org.sipadapter.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotDifferTest {

  /** A listed item: key, state, and whether the server lists it as ended. */
  record Entry(String key, String state, boolean ended) {}

  private static SnapshotDiffer<String, Entry> differ() {
    return new SnapshotDiffer<>(Entry::key, Entry::ended, Entry::state);
  }

  private static Entry live(String key, String state) {
    return new Entry(key, state, false);
  }

  private static Entry ended(String key) {
    return new Entry(key, "ended", true);
  }

  @Test
  void firstReadReportsEveryLiveItemAsAppearedInListOrder() {
    List<SnapshotChange<Entry>> changes =
        differ().update(List.of(live("a", "early"), live("b", "confirmed")));

    assertThat(changes)
        .containsExactly(
            new SnapshotChange.Appeared<>(live("a", "early")),
            new SnapshotChange.Appeared<>(live("b", "confirmed")));
  }

  @Test
  void itemListedAsEndedThatWasNeverLiveIsNotReported() {
    SnapshotDiffer<String, Entry> d = differ();

    assertThat(d.update(List.of(ended("z")))).isEmpty();
    assertThat(d.live()).isEmpty();
  }

  @Test
  void sameReadTwiceReportsNothing() {
    SnapshotDiffer<String, Entry> d = differ();
    d.update(List.of(live("a", "early")));

    assertThat(d.update(List.of(live("a", "early")))).isEmpty();
  }

  @Test
  void stateMoveIsReportedWithThePreviousItem() {
    SnapshotDiffer<String, Entry> d = differ();
    d.update(List.of(live("a", "early")));

    assertThat(d.update(List.of(live("a", "confirmed"))))
        .containsExactly(new SnapshotChange.Changed<>(live("a", "early"), live("a", "confirmed")));
  }

  @Test
  void itemListedAsEndedCarriesTheEndedEntryAndTheLastLiveOne() {
    SnapshotDiffer<String, Entry> d = differ();
    d.update(List.of(live("a", "confirmed")));

    assertThat(d.update(List.of(ended("a"))))
        .containsExactly(new SnapshotChange.Ended<>(live("a", "confirmed"), ended("a"), true));
    assertThat(d.live()).isEmpty();
  }

  @Test
  void itemGoneFromTheListEndsAsLastSeen() {
    SnapshotDiffer<String, Entry> d = differ();
    d.update(List.of(live("a", "early"), live("b", "early")));

    assertThat(d.update(List.of(live("a", "early"))))
        .containsExactly(new SnapshotChange.Ended<>(live("b", "early"), live("b", "early"), false));
    assertThat(d.live()).containsOnlyKeys("a");
  }

  @Test
  void endedComeFirstThenAppearedAndChangedInListOrder() {
    SnapshotDiffer<String, Entry> d = differ();
    d.update(List.of(live("a", "early"), live("b", "early"), live("c", "early")));

    List<SnapshotChange<Entry>> changes =
        d.update(List.of(live("n", "early"), live("a", "confirmed"), ended("b")));

    assertThat(changes)
        .containsExactly(
            new SnapshotChange.Ended<>(live("b", "early"), ended("b"), true),
            new SnapshotChange.Ended<>(live("c", "early"), live("c", "early"), false),
            new SnapshotChange.Appeared<>(live("n", "early")),
            new SnapshotChange.Changed<>(live("a", "early"), live("a", "confirmed")));
  }

  @Test
  void clearMakesTheNextReadReportEveryLiveItemAgain() {
    SnapshotDiffer<String, Entry> d = differ();
    d.update(List.of(live("a", "early")));
    d.clear();

    assertThat(d.update(List.of(live("a", "early"))))
        .containsExactly(new SnapshotChange.Appeared<>(live("a", "early")));
  }

  @Test
  void liveOfKeysTheLiveItemsWithoutTouchingTheSnapshot() {
    SnapshotDiffer<String, Entry> d = differ();
    d.update(List.of(live("a", "early")));

    assertThat(d.liveOf(List.of(live("b", "early"), ended("c"), live("b", "confirmed"))))
        .containsExactly(org.assertj.core.api.Assertions.entry("b", live("b", "confirmed")));
    assertThat(d.live()).containsOnlyKeys("a");
  }

  @Test
  void nullItemsAreRefusedAtTheBoundary() {
    SnapshotDiffer<String, Entry> d = differ();
    java.util.List<Entry> withNull = new java.util.ArrayList<>();
    withNull.add(null);

    assertThatThrownBy(() -> d.update(withNull)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> d.update(null)).isInstanceOf(NullPointerException.class);
  }
}
