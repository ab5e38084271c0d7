package org.sipadapter.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;

class ListPollerTest {

  /** A link whose reads the test completes by hand. */
  static final class Link {
    final List<CompletableFuture<List<String>>> reads = new ArrayList<>();

    CompletableFuture<List<String>> read() {
      CompletableFuture<List<String>> f = new CompletableFuture<>();
      reads.add(f);
      return f;
    }
  }

  private final AtomicReference<Link> current = new AtomicReference<>();
  private final SnapshotDiffer<String, String> differ =
      new SnapshotDiffer<>(s -> s, s -> false, s -> s);
  private final List<SnapshotChange<String>> changes = new ArrayList<>();
  private final List<Throwable> lost = new ArrayList<>();
  private final List<Throwable> failed = new ArrayList<>();
  private final ListPoller<Link, String> poller =
      new ListPoller<>(differ, current::get, Link::read, changes::add, lost::add, failed::add);

  @Test
  void readListIsDiffedAndEachChangeHandedOn() {
    Link link = new Link();
    current.set(link);

    poller.pollSoon();
    link.reads.get(0).complete(List.of("a", "b"));

    assertThat(changes)
        .containsExactly(new SnapshotChange.Appeared<>("a"), new SnapshotChange.Appeared<>("b"));
  }

  @Test
  void noSecondReadStartsWhileOneIsRunning() {
    Link link = new Link();
    current.set(link);

    poller.pollSoon();
    poller.pollSoon();
    assertThat(link.reads).hasSize(1);

    link.reads.get(0).complete(List.of());
    poller.pollSoon();
    assertThat(link.reads).hasSize(2);
  }

  @Test
  void withoutALinkNothingIsReadAndTheNextTickTriesAgain() {
    poller.pollSoon();

    Link link = new Link();
    current.set(link);
    poller.pollSoon();

    assertThat(link.reads).hasSize(1);
  }

  @Test
  void readThatCompletesAfterTheLinkWasReplacedIsIgnored() {
    Link old = new Link();
    current.set(old);
    poller.pollSoon();

    current.set(new Link());
    old.reads.get(0).complete(List.of("a"));

    assertThat(changes).isEmpty();
    assertThat(differ.live()).isEmpty();
  }

  @Test
  void connectionAndTimeoutFailuresReportTheLinkLost() {
    Link link = new Link();
    current.set(link);
    AdapterConnectionException refused = new AdapterConnectionException("refused");
    AdapterTimeoutException slow = new AdapterTimeoutException("slow");

    poller.pollSoon();
    link.reads.get(0).completeExceptionally(refused);
    poller.pollSoon();
    link.reads.get(1).completeExceptionally(new CompletionException(slow));

    assertThat(lost).containsExactly(refused, slow);
    assertThat(failed).isEmpty();
  }

  @Test
  void otherFailureIsReportedAndPollingGoesOn() {
    Link link = new Link();
    current.set(link);
    IOException bad = new IOException("bad reply");

    poller.pollSoon();
    link.reads.get(0).completeExceptionally(bad);
    poller.pollSoon();
    link.reads.get(1).complete(List.of("a"));

    assertThat(failed).containsExactly(bad);
    assertThat(lost).isEmpty();
    assertThat(changes).containsExactly(new SnapshotChange.Appeared<>("a"));
  }
}
