package org.sipadapter.testkit.emulator;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * A scripted reply registered with {@link TcpEmulator#when(Predicate, BiConsumer)}: frames that
 * match are given to its action instead of the session handler. Scripts registered later are tried
 * first, so a test can override an emulator's normal answer for one request.
 *
 * <p>Thread-safe.
 */
public final class Script {

  private final Predicate<Frame> match;
  private final BiConsumer<EmulatorSession, Frame> action;
  private final int maxUses;
  private final AtomicInteger uses = new AtomicInteger();
  private volatile boolean removed;

  Script(Predicate<Frame> match, BiConsumer<EmulatorSession, Frame> action, int maxUses) {
    this.match = Objects.requireNonNull(match, "match");
    this.action = Objects.requireNonNull(action, "action");
    this.maxUses = maxUses;
  }

  /** Returns how many frames this script has handled. */
  public int uses() {
    return uses.get();
  }

  /** Stops this script from matching any further frame. */
  public void remove() {
    removed = true;
  }

  /** Returns true while the script may still match frames. */
  public boolean isActive() {
    return !removed && (maxUses <= 0 || uses.get() < maxUses);
  }

  /** Runs the action if the frame matches and the script is active; returns true if it ran. */
  boolean tryHandle(EmulatorSession session, Frame frame) {
    if (!isActive() || !match.test(frame)) {
      return false;
    }
    if (maxUses > 0 && uses.incrementAndGet() > maxUses) {
      return false;
    } else if (maxUses <= 0) {
      uses.incrementAndGet();
    }
    action.accept(session, frame);
    return true;
  }
}
