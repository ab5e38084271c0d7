package org.sipadapter.sipp;

import java.util.Map;

/**
 * The state and figures of a load run, from the agent (SIPp's {@code -trace_stat} CSV, its exit
 * code and the verdict that judges both together).
 *
 * @param runId the agent's run id
 * @param state {@code RUNNING}, {@code STOPPING} or {@code ENDED}
 * @param exitCode SIPp's exit code once ended, else null
 * @param verdict {@code PASSED}, {@code FAILED}, {@code NO_CALLS}, ... once ended, else null
 * @param totalCallCreated calls created
 * @param successfulCalls cumulative successful calls
 * @param failedCalls cumulative failed calls
 * @param currentCalls calls in progress at the last stat row
 * @param targetRate the configured rate
 * @param callRate the measured cumulative rate (calls/s)
 * @param failureCauses non-zero failure counters by SIPp's name, such as {@code UnexpectedMessage}
 */
public record LoadStats(
    String runId,
    String state,
    Integer exitCode,
    String verdict,
    long totalCallCreated,
    long successfulCalls,
    long failedCalls,
    long currentCalls,
    double targetRate,
    double callRate,
    Map<String, Long> failureCauses) {}
