/**
 * Spring Boot 3 auto-configuration for sip-adapter; see {@link org.sipadapter.spring.boot}.
 *
 * <p>Spring Boot's jars are automatic modules ({@code spring.boot}, {@code
 * spring.boot.autoconfigure}, ...). The actuator, Micrometer and Kafka parts are optional ({@code
 * requires static}): each auto-configuration switches on only when the application has them. The
 * package is open because Spring calls the auto-configurations' bean methods reflectively.
 */
module org.sipadapter.spring.boot {
  requires transitive org.sipadapter.core;
  requires transitive spring.boot;
  requires transitive spring.boot.autoconfigure;
  requires transitive spring.context;
  requires transitive spring.beans;
  requires spring.core;
  requires org.slf4j;
  requires org.yaml.snakeyaml;
  requires static spring.boot.actuator;
  requires static spring.boot.actuator.autoconfigure;
  requires static org.sipadapter.micrometer;
  requires static micrometer.core;
  requires static org.sipadapter.kafka;
  requires static kafka.clients;

  exports org.sipadapter.spring.boot;

  opens org.sipadapter.spring.boot;
}
