package org.sipadapter.testkit.asterisk;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class or method only when {@link AsteriskInstall#fromEnvironment()} names
 * an Asterisk this process can run; otherwise JUnit reports it as skipped with the reason (for
 * instance "no Asterisk root: set -Dsipadapter.asterisk.root ...").
 *
 * <p>Start the {@link AsteriskServer} inside the test or in {@code @BeforeAll} of the annotated
 * class, so nothing runs when the class is skipped.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(AsteriskAvailableCondition.class)
public @interface RequiresAsterisk {}
