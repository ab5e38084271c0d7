package org.sipadapter.testkit.containers;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class or method only when a Docker engine is reachable; otherwise JUnit
 * reports it as skipped with the reason (e.g. "no Docker engine reachable ...").
 *
 * <pre>{@code
 * @RequiresDocker
 * class AsteriskContainerIT {
 *   @Test void amiAnswers() { try (AsteriskContainer pbx = new AsteriskContainer()) { pbx.start(); ... } }
 * }
 * }</pre>
 *
 * <p>Start containers inside the test (or in {@code @BeforeAll} of the annotated class), not in
 * static initialisers, so nothing touches Docker when the class is skipped.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(DockerAvailableCondition.class)
public @interface RequiresDocker {}
