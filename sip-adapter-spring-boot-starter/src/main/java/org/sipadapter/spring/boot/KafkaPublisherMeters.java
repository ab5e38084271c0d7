package org.sipadapter.spring.boot;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;
import org.sipadapter.kafka.KafkaEventPublisher;
import org.sipadapter.kafka.PublisherMetrics;

/**
 * The counters of a {@link KafkaEventPublisher} as meters: {@code sipadapter.kafka.messages}
 * (function counter, tag {@code outcome}), {@code sipadapter.kafka.buffered} and {@code
 * sipadapter.kafka.spill.pending} (gauges, in messages).
 */
final class KafkaPublisherMeters {

  private KafkaPublisherMeters() {}

  static void bind(KafkaEventPublisher publisher, MeterRegistry registry) {
    counter(publisher, registry, "accepted", PublisherMetrics::accepted);
    counter(publisher, registry, "acknowledged", PublisherMetrics::acknowledged);
    counter(publisher, registry, "dropped", PublisherMetrics::droppedNonTerminal);
    counter(publisher, registry, "failed", PublisherMetrics::failedNonTerminal);
    counter(publisher, registry, "retried", PublisherMetrics::retriedTerminal);
    counter(publisher, registry, "overflow", PublisherMetrics::terminalOverflow);
    counter(publisher, registry, "spilled", PublisherMetrics::spilled);
    counter(publisher, registry, "replayed", PublisherMetrics::replayed);
    counter(publisher, registry, "record_missing", PublisherMetrics::recordsMissing);
    Gauge.builder("sipadapter.kafka.buffered", publisher, p -> p.metrics().buffered())
        .description("messages in the publisher's buffer, not yet handed to the producer")
        .baseUnit("messages")
        .register(registry);
    Gauge.builder("sipadapter.kafka.spill.pending", publisher, p -> p.metrics().spillPending())
        .description("terminal events and records in the spill file, waiting to be sent")
        .baseUnit("messages")
        .register(registry);
  }

  private static void counter(
      KafkaEventPublisher publisher,
      MeterRegistry registry,
      String outcome,
      ToDoubleFunction<PublisherMetrics> value) {
    FunctionCounter.builder(
            "sipadapter.kafka.messages", publisher, p -> value.applyAsDouble(p.metrics()))
        .description("messages of the Kafka publisher, by what became of them")
        .baseUnit("messages")
        .tag("outcome", outcome)
        .register(registry);
  }
}
