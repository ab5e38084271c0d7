package org.sipadapter;

import java.time.Duration;

/**
 * A consistent-enough copy of an adapter's counters at one moment. Counters only grow, except
 * {@code activeCalls}.
 *
 * @param callsAttempted outbound calls placed with {@code makeCall}
 * @param callsSucceeded outbound calls that were answered
 * @param callsFailed outbound calls that ended {@link CallState#FAILED}
 * @param successRate {@code succeeded / (succeeded + failed)}, 1.0 before any call finished
 * @param requestLatency round trips of requests to the server
 * @param callSetupTime time from {@code makeCall} to answer
 * @param activeCalls calls not yet in a terminal state, both directions
 * @param incomingCalls calls that arrived from outside
 * @param reconnects successful reconnections after a lost link
 * @param rejectedTransitions state changes refused by the transition table
 * @param droppedEvents events not delivered because a delivery queue was full
 * @param slowListenerCalls listener calls that took longer than the configured threshold
 * @param listenerErrors listener calls that threw
 * @param orphansHungUp calls the adapter had given up on (request timeout, lost link, close) that
 *     the server still held or created later, and that the adapter hung up
 * @param uptime time since the adapter was created
 */
public record MetricsSnapshot(
    long callsAttempted,
    long callsSucceeded,
    long callsFailed,
    double successRate,
    LatencyStats requestLatency,
    LatencyStats callSetupTime,
    long activeCalls,
    long incomingCalls,
    long reconnects,
    long rejectedTransitions,
    long droppedEvents,
    long slowListenerCalls,
    long listenerErrors,
    long orphansHungUp,
    Duration uptime) {}
