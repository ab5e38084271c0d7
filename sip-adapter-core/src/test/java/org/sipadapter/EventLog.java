package org.sipadapter;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.ConnectionStateChanged;

/** Records every event an adapter delivers, for assertions. */
final class EventLog implements SipAdapterListener {
  static final Duration WAIT = Duration.ofSeconds(60);

  private final List<AdapterEvent> events = new CopyOnWriteArrayList<>();

  @Override
  public void onEvent(AdapterEvent event) {
    events.add(event);
  }

  List<AdapterEvent> all() {
    return List.copyOf(events);
  }

  List<CallStateChanged> changes(String callId) {
    return events.stream()
        .filter(e -> e instanceof CallStateChanged)
        .map(e -> (CallStateChanged) e)
        .filter(e -> e.callId().equals(callId))
        .collect(Collectors.toList());
  }

  List<CallState> states(String callId) {
    return changes(callId).stream().map(CallStateChanged::state).collect(Collectors.toList());
  }

  List<CallStateChanged> terminals(String callId) {
    return changes(callId).stream()
        .filter(CallStateChanged::isTerminal)
        .collect(Collectors.toList());
  }

  List<ConnectionState> connectionStates() {
    return events.stream()
        .filter(e -> e instanceof ConnectionStateChanged)
        .map(e -> ((ConnectionStateChanged) e).state())
        .collect(Collectors.toList());
  }

  /** Waits for the call's terminal event and returns it. */
  CallStateChanged awaitTerminal(String callId) {
    await().atMost(WAIT).until(() -> !terminals(callId).isEmpty());
    return terminals(callId).get(0);
  }

  void awaitState(String callId, CallState state) {
    await().atMost(WAIT).until(() -> states(callId).contains(state));
  }

  void awaitConnection(ConnectionState state) {
    await().atMost(WAIT).until(() -> connectionStates().contains(state));
  }
}
