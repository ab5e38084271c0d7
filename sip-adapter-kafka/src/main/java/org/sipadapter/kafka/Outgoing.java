package org.sipadapter.kafka;

/**
 * One message on its way to Kafka: in the buffer, in the producer, or in the spill file.
 *
 * @param topic the topic
 * @param key the key (the call id, or the adapter name for events not about a call)
 * @param json the value
 * @param terminal whether it is a terminal event or a call record, which are never dropped
 */
record Outgoing(String topic, String key, String json, boolean terminal) {}
