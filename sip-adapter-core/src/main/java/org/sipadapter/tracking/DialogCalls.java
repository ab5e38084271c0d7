package org.sipadapter.tracking;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.sipadapter.HangupCause;
import org.sipadapter.spi.CallSnapshot;
import org.sipadapter.spi.TrackedCall;

/**
 * The calls of a SIP proxy's dialogs, for adapters of proxies with a dialog module (Kamailio,
 * OpenSIPS): every dialog the proxy tracks is one call, either one the adapter placed ({@link
 * Claim}) or one it reports as a call it did not place ({@code IncomingCall}). Dialog events, the
 * polling diff, the list read at connect and the keepalive's list all map through here, so the
 * adapters only parse their wire formats.
 *
 * <p>Guarantees: finding the call of a dialog, claiming the dialog for a call the adapter placed
 * and reporting it as a new call happen as one step under one lock, so a dialog seen at the same
 * time by the event reader and by a list read (connect, keepalive, poll) becomes one call, never
 * two. A dialog is bound to a call by both its ids ({@value ProxyDialog#CALL_ID} and {@value
 * ProxyDialog#DIALOG}); a call matches a dialog only if every id it carries is the dialog's, so a
 * dialog id the proxy reuses after a restart is a new call. Nothing here blocks on the network.
 *
 * @param <D> the adapter's dialog type
 */
public final class DialogCalls<D extends ProxyDialog> {

  /** The cause of a dialog that ended before it was answered (Q.850 31). */
  public static final HangupCause ENDED_UNANSWERED =
      HangupCause.ofQ850(31).withText("dialog ended before answer");

  /** The cause of an answered dialog that left the list without an end event. */
  public static final HangupCause GONE =
      HangupCause.NORMAL_CLEARING.withText("dialog gone from the dialog list without an end event");

  /**
   * Finds the call this adapter placed that a dialog nobody has yet belongs to (click-to-dial
   * matches it by destination, for example).
   *
   * @param <D> the dialog type
   */
  @FunctionalInterface
  public interface Claim<D> {
    /**
     * Runs under the tracker's lock, once per dialog no call has; must not block.
     *
     * @param dialog the dialog
     * @return the id of the adapter's own call the dialog belongs to, live or given up (a given-up
     *     call is then hung up by core), or empty for a call this adapter did not place
     */
    Optional<String> claim(D dialog);
  }

  private final CallReports calls;
  private final Claim<? super D> claim;
  private final Object lock = new Object();
  // The last list read by connect or the poller; ListPoller synchronizes on it.
  private final SnapshotDiffer<String, D> table =
      new SnapshotDiffer<>(DialogCalls::key, d -> d.state().ended(), ProxyDialog::state);
  private volatile List<D> atConnect = List.of();
  private volatile ListPoller<?, D> poller;

  /**
   * A tracker for an adapter that places no calls: every dialog is a call it did not place.
   *
   * @param calls the adapter's call table
   */
  public DialogCalls(CallReports calls) {
    this(calls, d -> Optional.empty());
  }

  /**
   * A tracker for an adapter that places calls through the proxy.
   *
   * @param calls the adapter's call table
   * @param claim finds the adapter's own call of a new dialog
   */
  public DialogCalls(CallReports calls, Claim<? super D> claim) {
    this.calls = Objects.requireNonNull(calls, "calls");
    this.claim = Objects.requireNonNull(claim, "claim");
  }

  /**
   * The key of a dialog across list reads: its Call-ID and dialog id.
   *
   * @param d the dialog
   * @return the key
   */
  public static String key(ProxyDialog d) {
    return d.callId() + ' ' + d.dialogId();
  }

  // ------------------------------------------------------------------ link up

  /**
   * Takes the dialog list read while a link comes up: live dialogs no call has are claimed or
   * reported as new calls, the list becomes the polling baseline and what {@link #resync} answers
   * from.
   *
   * @param now the dialogs just read
   */
  public void linkUp(Collection<? extends D> now) {
    List<D> copy = List.copyOf(now);
    atConnect = copy;
    for (D d : copy) {
      if (!d.state().ended()) {
        callOf(d, true);
      }
    }
    synchronized (table) {
      table.clear();
      table.update(copy);
    }
  }

  /**
   * The answer of a resync: the tracked calls whose dialog the list of {@link #linkUp} holds live,
   * in that dialog's state; the others are left out, so core ends them.
   *
   * @param tracked the adapter's tracked calls
   * @return the snapshots
   */
  public List<CallSnapshot> resync(Collection<TrackedCall> tracked) {
    Map<String, D> live = new LinkedHashMap<>();
    for (D d : atConnect) {
      if (!d.state().ended()) {
        live.put(key(d), d);
      }
    }
    List<CallSnapshot> out = new ArrayList<>();
    for (TrackedCall c : tracked) {
      D d = keyOf(c).map(live::get).orElse(null);
      if (d != null) {
        out.add(new CallSnapshot(c.callId(), d.state().toCallState(), d.serverIds()));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ events

  /**
   * A dialog is up in {@code d.state()} (an event or a list shows it): its call gets that state; a
   * dialog no call has is claimed, or else reported as a new call.
   *
   * @param d the dialog, not ended
   */
  public void live(D d) {
    String callId = callOf(d, true).orElseThrow();
    if (reportable(d.state())) {
      calls.reportCallState(callId, d.state().toCallState(), d.serverIds());
    }
  }

  /**
   * A dialog ended: its call ends with {@code cause} ({@link #ENDED_UNANSWERED} becomes
   * NORMAL_CLEARING for a call that was answered).
   *
   * @param d the dialog
   * @param cause the cause
   * @param reportUnknown whether a dialog no call has is reported as a new call that ended (a call
   *     that failed before the adapter saw it), rather than ignored
   */
  public void ended(D d, HangupCause cause, boolean reportUnknown) {
    boolean answered = bound(d).map(c -> c.state().isAnswered()).orElse(false);
    HangupCause c = answered && cause == ENDED_UNANSWERED ? HangupCause.NORMAL_CLEARING : cause;
    callOf(d, reportUnknown).ifPresent(id -> calls.reportCallEnded(id, c, d.serverIds()));
  }

  /**
   * The call a dialog is bound to.
   *
   * @param d the dialog
   * @return the live call's id, if one has the dialog
   */
  public Optional<String> boundCall(ProxyDialog d) {
    return bound(d).map(TrackedCall::callId);
  }

  // ------------------------------------------------------------------ polling and keepalive

  /**
   * Starts the polling fallback over this tracker: every {@code period} the list is read and diffed
   * against the last read, and the changes are mapped as events would be.
   *
   * @param timer the timer that ticks (a read runs on the thread that completes it)
   * @param period the poll interval
   * @param link the current link, null while there is none
   * @param read starts one read of the dialog list
   * @param onLinkLost receives the cause when a read shows the link is lost
   * @param onReadFailed receives the cause of any other failed read
   * @param <L> the link type
   * @return the ticking task; cancel it when the link goes
   */
  public <L> ScheduledFuture<?> startPolling(
      ScheduledExecutorService timer,
      Duration period,
      Supplier<? extends L> link,
      Function<? super L, ? extends CompletableFuture<? extends Collection<? extends D>>> read,
      Consumer<Throwable> onLinkLost,
      Consumer<Throwable> onReadFailed) {
    ListPoller<L, D> p = poller(link, read, onLinkLost, onReadFailed);
    long nanos = period.toNanos();
    return timer.scheduleWithFixedDelay(p::pollSoon, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /** The poller over this tracker's table, made the one {@link #pollSoon()} triggers. */
  <L> ListPoller<L, D> poller(
      Supplier<? extends L> link,
      Function<? super L, ? extends CompletableFuture<? extends Collection<? extends D>>> read,
      Consumer<Throwable> onLinkLost,
      Consumer<Throwable> onReadFailed) {
    ListPoller<L, D> p =
        new ListPoller<>(table, link, read, this::changed, onLinkLost, onReadFailed);
    poller = p;
    return p;
  }

  /** With polling started, reads the list now (after a hangup, say) instead of at the next tick. */
  public void pollSoon() {
    ListPoller<?, D> p = poller;
    if (p != null) {
      p.pollSoon();
    }
  }

  /** Maps one polling change. */
  void changed(SnapshotChange<D> change) {
    if (change instanceof SnapshotChange.Ended<D> e) {
      boolean answered = e.previous().state().answered() || e.item().answeredAtEpochSeconds() > 0;
      ended(e.item(), answered ? HangupCause.NORMAL_CLEARING : ENDED_UNANSWERED, false);
    } else {
      live(change.item());
    }
  }

  /**
   * The calls bound to a dialog now, for {@link #settle}: take them before reading the list, so a
   * dialog that appears meanwhile is not mistaken for gone.
   *
   * @return a snapshot
   */
  public List<TrackedCall> boundCalls() {
    List<TrackedCall> out = new ArrayList<>();
    for (TrackedCall c : calls.trackedCalls()) {
      if (keyOf(c).isPresent()) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * Settles what events missed, from a list read by the keepalive: calls of {@code boundBefore}
   * whose dialog is gone or ended end (answered or not), the others take their dialog's state, and
   * live dialogs no call has are claimed or reported as new calls.
   *
   * @param now the dialogs just read
   * @param boundBefore {@link #boundCalls()} taken before the read
   */
  public void settle(Collection<? extends D> now, Collection<TrackedCall> boundBefore) {
    Map<String, D> listed = new LinkedHashMap<>();
    for (D d : now) {
      listed.merge(key(d), d, (a, b) -> a.state().ended() ? b : a);
    }
    for (TrackedCall c : boundBefore) {
      D d = keyOf(c).map(listed::get).orElse(null);
      if (d == null || d.state().ended()) {
        boolean answered = c.state().isAnswered() || (d != null && d.answeredAtEpochSeconds() > 0);
        HangupCause cause =
            !answered ? ENDED_UNANSWERED : d == null ? GONE : HangupCause.NORMAL_CLEARING;
        calls.reportCallEnded(c.callId(), cause, d == null ? Map.of() : d.serverIds());
      } else if (reportable(d.state())) {
        calls.reportCallState(c.callId(), d.state().toCallState(), d.serverIds());
      }
    }
    for (D d : listed.values()) {
      if (!d.state().ended() && bound(d).isEmpty()) {
        live(d);
      }
    }
  }

  // ------------------------------------------------------------------ the one step

  /**
   * The call of a dialog: the live call bound to it, else a given-up call bound to it (which core
   * is hanging up: the dialog is not free to claim), else the adapter's own call that claims it
   * (bound to it now), else, when {@code adopt}, a new call reported as not placed by this adapter.
   * One step under the lock.
   */
  private Optional<String> callOf(D d, boolean adopt) {
    Map<String, String> ids = d.serverIds();
    synchronized (lock) {
      Optional<TrackedCall> bound = bound(d).or(() -> givenUp(d));
      if (bound.isPresent()) {
        return Optional.of(bound.get().callId());
      }
      Optional<String> mine = claim.claim(d);
      if (mine.isPresent()) {
        String callId = mine.get();
        if (!d.state().ended()) {
          // State with every id first: a given-up call is hung up with all of them at once.
          calls.reportCallState(callId, d.state().toCallState(), ids);
          calls.bindServerIds(callId, ids);
        }
        return mine;
      }
      if (!adopt) {
        return Optional.empty();
      }
      String callId =
          calls.reportIncomingCall(
              d.fromUri(),
              d.toUri(),
              d.state().ended() ? DialogState.UNCONFIRMED.toCallState() : d.state().toCallState(),
              ids);
      calls.bindServerIds(callId, ids);
      return Optional.of(callId);
    }
  }

  private Optional<TrackedCall> bound(ProxyDialog d) {
    return calls
        .findCallByServerId(ProxyDialog.DIALOG, d.dialogId())
        .or(() -> calls.findCallByServerId(ProxyDialog.CALL_ID, d.callId()))
        .filter(c -> matches(c, d));
  }

  private Optional<TrackedCall> givenUp(ProxyDialog d) {
    return calls
        .findGivenUpCallByServerId(ProxyDialog.DIALOG, d.dialogId())
        .or(() -> calls.findGivenUpCallByServerId(ProxyDialog.CALL_ID, d.callId()))
        .filter(c -> matches(c, d));
  }

  /** Every id the call carries is the dialog's. */
  private static boolean matches(TrackedCall c, ProxyDialog d) {
    return c.serverId(ProxyDialog.CALL_ID).map(d.callId()::equals).orElse(true)
        && c.serverId(ProxyDialog.DIALOG).map(d.dialogId()::equals).orElse(true);
  }

  private static Optional<String> keyOf(TrackedCall c) {
    Optional<String> sip = c.serverId(ProxyDialog.CALL_ID);
    Optional<String> dialog = c.serverId(ProxyDialog.DIALOG);
    return sip.isPresent() && dialog.isPresent()
        ? Optional.of(sip.get() + ' ' + dialog.get())
        : Optional.empty();
  }

  /** Unconfirmed and unknown states say nothing a call does not know already. */
  private static boolean reportable(DialogState s) {
    return s != DialogState.UNCONFIRMED && s != DialogState.UNKNOWN && !s.ended();
  }
}
