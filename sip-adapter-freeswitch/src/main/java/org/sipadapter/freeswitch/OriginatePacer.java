package org.sipadapter.freeswitch;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Lets at most N originates go out in any one second: the slot booked for an originate is at least
 * one second after the slot booked N originates earlier (a sliding window). An idle pacer lets N
 * through at once; the next N wait for the second to pass. FreeSWITCH counts sessions per clock
 * second and refuses those beyond its limit, so a window of one second never lets more than N into
 * any clock second.
 *
 * <p>It never waits: {@link #reserve()} books the next free slot and says how long the caller must
 * delay the send, so the adapter can schedule the send on a timer instead of blocking the caller's
 * thread or the reader thread.
 *
 * <p>Thread-safe: concurrent callers each get a slot of their own.
 */
final class OriginatePacer {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final LongSupplier nanoClock;
  private final int perSecond;

  /** The last {@code perSecond} booked slots, as a ring; {@code filled} of them are set. */
  private final long[] slots;

  private int next;
  private int filled;

  /**
   * Creates a pacer with no originate booked.
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
    this.perSecond = perSecond;
    this.slots = new long[perSecond];
  }

  /**
   * Books the next slot.
   *
   * @return how long to wait before sending, in nanoseconds; 0 to send now
   */
  synchronized long reserve() {
    long now = nanoClock.getAsLong();
    long slot = now;
    if (filled == perSecond) {
      // slots[next] is the slot booked perSecond originates ago
      long earliest = slots[next] + SECOND;
      if (earliest - slot > 0) {
        slot = earliest;
      }
    } else {
      filled++;
    }
    slots[next] = slot;
    next = (next + 1) % perSecond;
    return slot - now;
  }

  /**
   * Books the next slot if it is at most {@code maxDelayNanos} away; books nothing otherwise. A
   * flood of calls beyond the rate would else book slots ever further ahead, without bound.
   *
   * @param maxDelayNanos the longest wait the caller accepts, in nanoseconds
   * @return how long to wait before sending, in nanoseconds (0 to send now), or -1 if the next slot
   *     is further away than {@code maxDelayNanos}
   */
  synchronized long reserveWithin(long maxDelayNanos) {
    if (filled == perSecond) {
      long wait = slots[next] + SECOND - nanoClock.getAsLong();
      if (wait > maxDelayNanos) {
        return -1;
      }
    }
    return reserve();
  }

  /**
   * Returns the rate.
   *
   * @return originates per second
   */
  int perSecond() {
    return perSecond;
  }

  /**
   * Returns the gap between two originates at the steady rate.
   *
   * @return nanoseconds, {@code 1e9 / perSecond}
   */
  long spacingNanos() {
    return SECOND / perSecond;
  }
}
