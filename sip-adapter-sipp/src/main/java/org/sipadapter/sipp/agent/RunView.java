package org.sipadapter.sipp.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What {@code GET /calls/{id}} returns about a run.
 *
 * @param id the run id
 * @param scenario the scenario name
 * @param role UAC or UAS
 * @param state the lifecycle state
 * @param pid SIPp's process id
 * @param localPort SIPp's SIP port
 * @param controlPort SIPp's UDP control port
 * @param startedAtMillis start time (epoch ms)
 * @param endedAtMillis end time, or null while running
 * @param exitCode SIPp's exit code, or null while running
 * @param verdict exit code and stats judged together, or null while running
 * @param stopRequested whether {@code DELETE} was called
 * @param spec the request that started it
 * @param stats the latest stat row
 * @param calls per-call states from the message trace (only listed in detail views; at most the
 *     last 100)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunView(
    String id,
    String scenario,
    ScenarioRole role,
    RunState state,
    long pid,
    int localPort,
    int controlPort,
    long startedAtMillis,
    Long endedAtMillis,
    Integer exitCode,
    Verdict verdict,
    boolean stopRequested,
    RunSpec spec,
    StatCsv.RunStats stats,
    List<CallProgress> calls) {}
