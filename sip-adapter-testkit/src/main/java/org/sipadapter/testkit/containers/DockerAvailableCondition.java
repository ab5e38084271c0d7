package org.sipadapter.testkit.containers;

import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The JUnit condition behind {@link RequiresDocker}: disabled, with the reason, when {@link
 * DockerAvailability} finds no engine.
 */
public final class DockerAvailableCondition implements ExecutionCondition {

  /** Creates the condition; JUnit does this through {@link RequiresDocker}. */
  public DockerAvailableCondition() {}

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Optional<String> reason = DockerAvailability.unavailableReason();
    return reason
        .map(r -> ConditionEvaluationResult.disabled("Skipped: " + r))
        .orElseGet(() -> ConditionEvaluationResult.enabled("Docker engine available"));
  }
}
