package org.sipadapter.testkit.yate;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class or method only when {@link YateInstall#fromEnvironment()} names a
 * Yate; otherwise JUnit reports it as skipped with the reason.
 *
 * <p>Start the {@link YateServer} inside the test or in {@code @BeforeAll} of the annotated class,
 * so nothing runs when the class is skipped.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(YateAvailableCondition.class)
public @interface RequiresYate {}
