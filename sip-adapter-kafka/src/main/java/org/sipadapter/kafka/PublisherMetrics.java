package org.sipadapter.kafka;

/**
 * The counters of a {@link KafkaEventPublisher}, as of one moment.
 *
 * @param accepted messages taken into the buffer
 * @param acknowledged messages the brokers acknowledged
 * @param buffered messages in the buffer now, not yet handed to the producer
 * @param droppedNonTerminal non-terminal events dropped because the buffer was full
 * @param failedNonTerminal non-terminal events the producer gave up on
 * @param retriedTerminal terminal events and records handed to the producer again after it gave up
 * @param terminalOverflow terminal events and records that found the buffer full and were logged at
 *     ERROR with their full JSON instead of being sent
 * @param recordsMissing terminal events for which the adapter's history held no call record
 */
public record PublisherMetrics(
    long accepted,
    long acknowledged,
    int buffered,
    long droppedNonTerminal,
    long failedNonTerminal,
    long retriedTerminal,
    long terminalOverflow,
    long recordsMissing) {}
