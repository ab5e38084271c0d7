package org.sipadapter.sipp.agent;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One entry of the agent's event stream ({@code GET /events}).
 *
 * @param seq position in the stream, increasing by one per event across all runs
 * @param timeMillis when the agent saw it (epoch milliseconds)
 * @param runId the run it belongs to
 * @param marker the marker the client gave the run ({@link RunSpec#marker()}), or null
 * @param type {@code call} (a call changed state), {@code run-started} or {@code run-ended}
 * @param call for {@code call} events: the call's new state
 * @param exitCode for {@code run-ended}: SIPp's exit code
 * @param verdict for {@code run-ended}: the exit code and stat file judged together
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentEvent(
    long seq,
    long timeMillis,
    String runId,
    String marker,
    String type,
    CallProgress call,
    Integer exitCode,
    Verdict verdict) {}
