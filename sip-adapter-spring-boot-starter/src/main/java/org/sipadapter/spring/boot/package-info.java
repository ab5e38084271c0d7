/**
 * Spring Boot 3 auto-configuration for sip-adapter. Adapters are declared under {@code
 * sipadapter.adapters} in {@code application.yml} with the keys of sip-adapter's own YAML; each
 * becomes a {@link org.sipadapter.SipAdapter} bean named by its {@code name}. docs/spring-boot.md
 * describes every property.
 */
package org.sipadapter.spring.boot;
