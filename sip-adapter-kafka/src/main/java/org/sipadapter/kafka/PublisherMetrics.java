package org.sipadapter.kafka;

/**
 * The counters of a {@link KafkaEventPublisher}, as of one moment.
 *
 * @param accepted messages taken into the buffer
 * @param acknowledged messages the brokers acknowledged, spilled ones sent again included
 * @param buffered messages in the buffer now, not yet handed to the producer
 * @param droppedNonTerminal non-terminal events dropped because the buffer was full
 * @param failedNonTerminal non-terminal events the producer gave up on
 * @param retriedTerminal terminal events and records handed to the producer again after it gave up
 * @param terminalOverflow terminal events and records that found the buffer full and could not be
 *     spilled (no spill directory, or the file could not be written); each was logged at ERROR with
 *     its full JSON instead of being sent
 * @param recordsMissing terminal events for which the adapter's history held no call record
 * @param spilled terminal events and records written to the spill file because the buffer was full
 *     or the publisher was closing
 * @param replayed spilled messages handed to the producer again (a message may be spilled and
 *     replayed more than once while Kafka stays away)
 * @param spillPending messages in the spill file now, waiting to be sent
 */
public record PublisherMetrics(
    long accepted,
    long acknowledged,
    int buffered,
    long droppedNonTerminal,
    long failedNonTerminal,
    long retriedTerminal,
    long terminalOverflow,
    long recordsMissing,
    long spilled,
    long replayed,
    long spillPending) {}
