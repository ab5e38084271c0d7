package org.sipadapter.testkit.tck;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.sipadapter.CallState;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.event.AdapterError;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.ConnectionStateChanged;
import org.sipadapter.event.DtmfReceived;
import org.sipadapter.event.IncomingCall;

/**
 * A listener that keeps every event it receives, for assertions with Awaitility:
 *
 * <pre>{@code
 * EventRecorder events = new EventRecorder();
 * adapter.addListener(events);
 * String id = adapter.makeCall("1000", "2000");
 * await().until(() -> events.states(id).contains(CallState.CONNECTED));
 * }</pre>
 *
 * <p>Thread-safe: events are appended from the adapter's delivery threads and read from any thread.
 */
public final class EventRecorder implements SipAdapterListener {

  private final List<AdapterEvent> events = new CopyOnWriteArrayList<>();

  /** Creates an empty recorder. */
  public EventRecorder() {}

  @Override
  public void onEvent(AdapterEvent event) {
    events.add(Objects.requireNonNull(event));
  }

  /** Returns every event so far, in arrival order (a snapshot). */
  public List<AdapterEvent> all() {
    return List.copyOf(events);
  }

  /**
   * Returns the events of one type, in arrival order.
   *
   * @param type the event record type
   * @param <E> the type
   */
  public <E extends AdapterEvent> List<E> of(Class<E> type) {
    List<E> out = new ArrayList<>();
    for (AdapterEvent e : events) {
      if (type.isInstance(e)) {
        out.add(type.cast(e));
      }
    }
    return out;
  }

  /**
   * Returns the call state events of one call, in arrival order.
   *
   * @param callId the call id
   */
  public List<CallStateChanged> callEvents(String callId) {
    List<CallStateChanged> out = new ArrayList<>();
    for (CallStateChanged e : of(CallStateChanged.class)) {
      if (callId.equals(e.callId())) {
        out.add(e);
      }
    }
    return out;
  }

  /**
   * Returns the states one call went through, in arrival order.
   *
   * @param callId the call id
   */
  public List<CallState> states(String callId) {
    List<CallState> out = new ArrayList<>();
    for (CallStateChanged e : callEvents(callId)) {
      out.add(e.state());
    }
    return out;
  }

  /**
   * Returns the terminal events ({@code DISCONNECTED}/{@code FAILED}) of one call.
   *
   * @param callId the call id
   */
  public List<CallStateChanged> terminalEvents(String callId) {
    List<CallStateChanged> out = new ArrayList<>();
    for (CallStateChanged e : callEvents(callId)) {
      if (e.state().isTerminal()) {
        out.add(e);
      }
    }
    return out;
  }

  /**
   * Returns true once the call has a terminal event.
   *
   * @param callId the call id
   */
  public boolean ended(String callId) {
    return !terminalEvents(callId).isEmpty();
  }

  /** Returns the connection states announced so far, in arrival order. */
  public List<org.sipadapter.ConnectionState> connectionStates() {
    List<org.sipadapter.ConnectionState> out = new ArrayList<>();
    for (ConnectionStateChanged e : of(ConnectionStateChanged.class)) {
      out.add(e.state());
    }
    return out;
  }

  /** Returns the incoming-call events so far. */
  public List<IncomingCall> incomingCalls() {
    return of(IncomingCall.class);
  }

  /** Returns the DTMF events so far. */
  public List<DtmfReceived> dtmf() {
    return of(DtmfReceived.class);
  }

  /** Returns the error events so far. */
  public List<AdapterError> errors() {
    return of(AdapterError.class);
  }

  /**
   * Returns how many events satisfy {@code filter}.
   *
   * @param filter not null
   */
  public long count(Predicate<AdapterEvent> filter) {
    return events.stream().filter(filter).count();
  }

  /** Forgets everything recorded so far. */
  public void clear() {
    events.clear();
  }

  /** Returns a read-only live view, for debugging output. */
  public List<AdapterEvent> view() {
    return Collections.unmodifiableList(events);
  }

  @Override
  public String toString() {
    return "EventRecorder" + events;
  }
}
