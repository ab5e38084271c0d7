package org.sipadapter.freeswitch;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Spaces originates at a fixed rate per second and lets one second's worth through at once after an
 * idle spell (a generic cell rate check: one "theoretical arrival time" advanced by one spacing per
 * originate).
 *
 * <p>It never waits: {@link #reserve()} books the next free slot and says how long the caller must
 * delay the send, so the adapter can schedule the send on a timer instead of blocking the caller's
 * thread or the reader thread.
 *
 * <p>Thread-safe and lock-free: concurrent callers each get a slot of their own (a compare-and-set
 * loop on the arrival time).
 */
final class OriginatePacer {
  private final long spacingNanos;
  private final long burstToleranceNanos;
  private final LongSupplier nanoClock;
  private final AtomicLong theoreticalArrival;

  /**
   * Creates a pacer whose burst allowance is full.
   *
   * @param perSecond originates per second, at least 1; also the burst size
   * @param nanoClock a monotonic clock in nanoseconds, such as {@code System::nanoTime}
   * @throws IllegalArgumentException if {@code perSecond} is below 1
   */
  OriginatePacer(int perSecond, LongSupplier nanoClock) {
    if (perSecond < 1) {
      throw new IllegalArgumentException("originate rate must be at least 1 per second");
    }
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.spacingNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
    // The first perSecond slots of an idle pacer are due at once: a one-second burst.
    this.burstToleranceNanos = spacingNanos * (perSecond - 1);
    this.theoreticalArrival = new AtomicLong(nanoClock.getAsLong());
  }

  /**
   * Books the next slot.
   *
   * @return how long to wait before sending, in nanoseconds; 0 to send now
   */
  long reserve() {
    while (true) {
      long now = nanoClock.getAsLong();
      long tat = theoreticalArrival.get();
      // After an idle spell the arrival time is in the past: the burst allowance has refilled.
      long slot = Math.max(tat, now);
      if (theoreticalArrival.compareAndSet(tat, slot + spacingNanos)) {
        return Math.max(0, slot - burstToleranceNanos - now);
      }
    }
  }

  /**
   * Returns the gap between two paced originates.
   *
   * @return nanoseconds, {@code 1e9 / perSecond}
   */
  long spacingNanos() {
    return spacingNanos;
  }
}
