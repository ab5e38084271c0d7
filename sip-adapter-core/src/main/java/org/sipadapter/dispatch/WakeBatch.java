package org.sipadapter.dispatch;

import java.util.ArrayList;
import java.util.List;

/**
 * Lets a thread that dispatches many events in a row wake each idle dispatcher lane once, at the
 * end, instead of once per event.
 *
 * <p>Why: a lane that delivers faster than the reader decodes is idle between two events, so every
 * event offered to it woke a parked thread (a system call and a context switch on the reader's
 * time). A reader that wraps the decoding of one read buffer in a batch wakes each lane it fed once
 * when the buffer is done: the events of one buffer reach the listener a few microseconds later,
 * and with many events per buffer the wake-ups per event fall from one to a few per hundred.
 *
 * <p>Only the thread that opened a batch defers its wake-ups; events dispatched by any other thread
 * wake their lane at once. Batches nest: the outermost {@link #close} wakes.
 */
public final class WakeBatch implements AutoCloseable {

  private static final ThreadLocal<WakeBatch> CURRENT = ThreadLocal.withInitial(WakeBatch::new);

  private final List<Runnable> pending = new ArrayList<>();
  private int depth;

  private WakeBatch() {}

  /**
   * Opens (or re-enters) the calling thread's batch. Close it in a {@code finally}, on the same
   * thread.
   *
   * @return the thread's batch
   */
  public static WakeBatch open() {
    WakeBatch batch = CURRENT.get();
    batch.depth++;
    return batch;
  }

  /**
   * Defers a wake-up to the end of the calling thread's open batch. For queues that park a consumer
   * thread (the dispatcher's lanes, an adapter's event thread).
   *
   * @param wake what wakes the lane; run once when the batch closes
   * @return false when the thread has no open batch: the caller wakes at once
   */
  public static boolean defer(Runnable wake) {
    WakeBatch batch = CURRENT.get();
    if (batch.depth == 0) {
      return false;
    }
    batch.pending.add(wake);
    return true;
  }

  /** Leaves the batch; the outermost close wakes every lane fed meanwhile. */
  @Override
  public void close() {
    if (--depth > 0) {
      return;
    }
    depth = 0;
    // A wake-up cannot dispatch, but keep the loop safe should one do so.
    for (int i = 0; i < pending.size(); i++) {
      pending.get(i).run();
    }
    pending.clear();
  }
}
