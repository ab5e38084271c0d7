package org.sipadapter.testkit.yate;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The JUnit condition behind {@link RequiresYate}: disabled, with the reason, when {@link
 * YateInstall#unavailableReason()} gives one.
 */
public final class YateAvailableCondition implements ExecutionCondition {

  /** Creates the condition; JUnit does this through {@link RequiresYate}. */
  public YateAvailableCondition() {}

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return YateInstall.unavailableReason()
        .map(r -> ConditionEvaluationResult.disabled("Skipped: " + r))
        .orElseGet(() -> ConditionEvaluationResult.enabled("real Yate available"));
  }
}
