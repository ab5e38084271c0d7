package org.sipadapter.sipp.agent;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the SIP messages of one run into per-call states.
 *
 * <p>Outbound (SIPp sent the INVITE): DIALING on the INVITE, RINGING on a received 18x, CONNECTED
 * on a received 2xx, DISCONNECTED on a BYE either way (or on the 487 that answers SIPp's own
 * CANCEL), FAILED on a received final error. Inbound (SIPp received the INVITE): INCOMING, then
 * RINGING / CONNECTED / FAILED on the responses SIPp sends, DISCONNECTED on a BYE or the caller's
 * CANCEL. Each state is reported once; terminal states are final.
 *
 * <p>Not thread-safe: fed by the agent's single trace thread.
 */
public final class DialogTracker {

  private static final int MAX_CALLS = 10_000;

  private final Map<String, CallProgress> calls = new LinkedHashMap<>();
  private final Map<String, Boolean> cancelled = new LinkedHashMap<>();

  /**
   * Applies one message.
   *
   * @param m the message
   * @return the new state of its call when it changed, else null
   */
  public CallProgress apply(TracedMessage m) {
    if (m.callId() == null) {
      return null;
    }
    CallProgress current = calls.get(m.callId());
    if (current == null) {
      if (!"INVITE".equals(m.method())) {
        return null;
      }
      if (calls.size() >= MAX_CALLS) {
        calls.remove(calls.keySet().iterator().next());
      }
      CallProgress created =
          new CallProgress(
              m.callId(),
              m.sent() ? "outbound" : "inbound",
              m.sent() ? "DIALING" : "INCOMING",
              0,
              null,
              m.from(),
              m.to(),
              null,
              null);
      calls.put(m.callId(), created);
      return created;
    }
    if (current.terminal()) {
      return null;
    }
    boolean outbound = "outbound".equals(current.direction());
    // A message from the far end: received on an outbound call, sent by SIPp on an inbound one.
    boolean fromFarEnd = outbound != m.sent();
    CallProgress next = null;
    if (m.isRequest()) {
      switch (m.method()) {
        case "BYE" ->
            next = with(current, "DISCONNECTED", 0, null, m.sent() ? "local" : "remote", null);
        case "CANCEL" -> {
          if (outbound && m.sent()) {
            cancelled.put(m.callId(), Boolean.TRUE);
          } else if (!outbound && !m.sent()) {
            next = with(current, "DISCONNECTED", 0, null, "remote", null);
          }
        }
        default -> {}
      }
    } else if ("INVITE".equals(m.cseqMethod()) && fromFarEnd) {
      int s = m.status();
      String remoteTo = outbound ? m.to() : null;
      if (s >= 180 && s < 200 && !"RINGING".equals(current.state())) {
        if (!"CONNECTED".equals(current.state())) {
          next = with(current, "RINGING", s, m.reason(), null, remoteTo);
        }
      } else if (s >= 200 && s < 300 && !"CONNECTED".equals(current.state())) {
        next = with(current, "CONNECTED", s, m.reason(), null, remoteTo);
      } else if (s >= 300) {
        if (s == 487 && cancelled.containsKey(m.callId())) {
          next = with(current, "DISCONNECTED", s, m.reason(), "local", remoteTo);
        } else {
          next = with(current, "FAILED", s, m.reason(), null, remoteTo);
        }
      } else if (remoteTo != null && current.remoteTo() == null && s > 100) {
        calls.put(
            m.callId(), with(current, current.state(), current.status(), null, null, remoteTo));
      }
    }
    if (next != null) {
      calls.put(m.callId(), next);
      if (next.terminal()) {
        cancelled.remove(m.callId());
      }
    }
    return next;
  }

  private static CallProgress with(
      CallProgress c, String state, int status, String reason, String hangupBy, String remoteTo) {
    return new CallProgress(
        c.callId(),
        c.direction(),
        state,
        status,
        reason,
        c.from(),
        c.to(),
        hangupBy,
        remoteTo != null ? remoteTo : c.remoteTo());
  }

  /** Every call seen, oldest first (at most the last 10 000). */
  public Collection<CallProgress> calls() {
    return List.copyOf(calls.values());
  }

  /** The calls that have not ended. */
  public List<CallProgress> activeCalls() {
    List<CallProgress> active = new ArrayList<>();
    for (CallProgress c : calls.values()) {
      if (!c.terminal()) {
        active.add(c);
      }
    }
    return active;
  }
}
