package org.sipadapter.testkit.asterisk;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The JUnit condition behind {@link RequiresAsterisk}: disabled, with the reason, when {@link
 * AsteriskInstall#unavailableReason()} gives one.
 */
public final class AsteriskAvailableCondition implements ExecutionCondition {

  /** Creates the condition; JUnit does this through {@link RequiresAsterisk}. */
  public AsteriskAvailableCondition() {}

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return AsteriskInstall.unavailableReason()
        .map(r -> ConditionEvaluationResult.disabled("Skipped: " + r))
        .orElseGet(() -> ConditionEvaluationResult.enabled("real Asterisk available"));
  }
}
