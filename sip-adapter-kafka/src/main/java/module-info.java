/**
 * Publishes adapter events and call records to Apache Kafka ({@link
 * org.sipadapter.kafka.KafkaEventPublisher}) and rebuilds the call state from the topics ({@link
 * org.sipadapter.kafka.CallStateView}).
 *
 * <p>{@code kafka-clients} publishes no module name; on the module path it is the automatic module
 * {@code kafka.clients}, named after its jar file. Its producer and consumer types appear in this
 * module's API, as do Jackson's trees, so both are required transitively.
 */
module org.sipadapter.kafka {
  requires transitive org.sipadapter.core;
  requires transitive kafka.clients;
  requires transitive com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires org.yaml.snakeyaml;

  exports org.sipadapter.kafka;
}
