package org.sipadapter.tracking;

import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;

/**
 * The polling fallback of an adapter that learns about calls from a server list: each {@link
 * #pollSoon()} reads the list over the current link and hands the diff, as {@link SnapshotDiffer}
 * computes it, to the adapter.
 *
 * <p>Guarantees: at most one read at a time (a tick that comes while a read is running is dropped,
 * so a slow server is not flooded); a read that completes after the link was replaced is ignored,
 * so a newer link owns the differ; a read that fails with {@link AdapterConnectionException} or
 * {@link AdapterTimeoutException} reports the link as lost, any other failure is reported as an
 * error and polling goes on. Changes are handed on in the order the differ reports them, under the
 * differ's monitor, on the thread that completes the read.
 *
 * @param <L> the link type (the client the list is read with)
 * @param <T> the item type
 */
public final class ListPoller<L, T> {

  private final SnapshotDiffer<?, T> differ;
  private final Supplier<? extends L> link;
  private final Function<? super L, ? extends CompletableFuture<? extends Collection<? extends T>>>
      read;
  private final Consumer<? super SnapshotChange<T>> onChange;
  private final Consumer<Throwable> onLinkLost;
  private final Consumer<Throwable> onReadFailed;
  private final AtomicBoolean running = new AtomicBoolean();

  /**
   * Creates a poller; it reads nothing until {@link #pollSoon()}.
   *
   * @param differ the differ the reads update; the adapter may clear and seed it under its monitor
   * @param link the current link, null while there is none
   * @param read starts one read of the list over a link
   * @param onChange receives each change of a read
   * @param onLinkLost receives the cause when a read shows the link is lost
   * @param onReadFailed receives the cause of any other failed read
   * @throws NullPointerException if an argument is null
   */
  public ListPoller(
      SnapshotDiffer<?, T> differ,
      Supplier<? extends L> link,
      Function<? super L, ? extends CompletableFuture<? extends Collection<? extends T>>> read,
      Consumer<? super SnapshotChange<T>> onChange,
      Consumer<Throwable> onLinkLost,
      Consumer<Throwable> onReadFailed) {
    this.differ = Objects.requireNonNull(differ, "differ");
    this.link = Objects.requireNonNull(link, "link");
    this.read = Objects.requireNonNull(read, "read");
    this.onChange = Objects.requireNonNull(onChange, "onChange");
    this.onLinkLost = Objects.requireNonNull(onLinkLost, "onLinkLost");
    this.onReadFailed = Objects.requireNonNull(onReadFailed, "onReadFailed");
  }

  /**
   * Starts one read of the list unless one is running or there is no link. Returns without waiting
   * for the read; safe to call from any thread, e.g. a timer.
   */
  public void pollSoon() {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    L l = link.get();
    if (l == null) {
      running.set(false);
      return;
    }
    read.apply(l)
        .whenComplete(
            (list, error) -> {
              try {
                if (error != null) {
                  Throwable c = unwrap(error);
                  if (c instanceof AdapterConnectionException
                      || c instanceof AdapterTimeoutException) {
                    onLinkLost.accept(c);
                  } else {
                    onReadFailed.accept(c);
                  }
                  return;
                }
                synchronized (differ) {
                  if (link.get() != l) {
                    return; // a newer link owns the differ
                  }
                  differ.update(list).forEach(onChange);
                }
              } finally {
                running.set(false);
              }
            });
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }
}
