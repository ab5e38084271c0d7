package org.sipadapter.sipp.agent;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.nio.file.Path;

/**
 * A scenario the agent can run.
 *
 * @param name the name used in {@code POST /calls}
 * @param builtIn whether it ships with the agent
 * @param role UAC or UAS
 * @param description one line for {@code GET /scenarios}
 * @param sippName SIPp's built-in name ({@code -sn}), or null when a file is used
 * @param file the scenario XML ({@code -sf}), or null for a SIPp built-in
 */
public record Scenario(
    String name,
    boolean builtIn,
    ScenarioRole role,
    String description,
    @JsonIgnore String sippName,
    @JsonIgnore Path file) {}
