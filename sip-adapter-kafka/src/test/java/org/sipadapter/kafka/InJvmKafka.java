package org.sipadapter.kafka;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** One Apache Kafka node in KRaft mode (broker and controller combined) inside the test JVM. */
final class InJvmKafka implements AutoCloseable {

  /** Partitions of each topic {@link #newTopics()} creates. */
  private static final int PARTITIONS = 3;

  private final KafkaClusterTestKit cluster;

  private InJvmKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  static InJvmKafka start() throws Exception {
    KafkaClusterTestKit cluster =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    return new InJvmKafka(cluster);
  }

  String bootstrap() {
    return cluster.bootstrapServers();
  }

  /** Stops the broker (the controller stays up) and waits until it is down. */
  void stopBroker() {
    broker().shutdown();
    broker().awaitShutdown();
  }

  /** Starts the broker again and waits until it serves. */
  void startBroker() throws Exception {
    broker().startup();
    cluster.waitForReadyBrokers();
  }

  private kafka.server.BrokerServer broker() {
    return cluster.brokers().get(0);
  }

  /**
   * Creates fresh topics of three partitions for one test, {events, records}, and returns once the
   * broker leads every partition.
   */
  String[] newTopics() throws Exception {
    String events = "events-" + UUID.randomUUID();
    String records = "records-" + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(events, PARTITIONS, (short) 1),
                  new NewTopic(records, PARTITIONS, (short) 1)))
          .all()
          .get();
    }
    awaitLeader(events);
    awaitLeader(records);
    return new String[] {events, records};
  }

  /**
   * Waits until the broker's replica manager leads every partition of a new topic. The controller
   * has the topic when createTopics returns, and the broker may already name itself the leader in
   * metadata while its replica manager does not have the partition yet. An idempotent producer
   * sending at that moment with several requests in flight can have a later request appended before
   * an earlier one, which then fails with OUT_OF_ORDER_SEQUENCE_NUMBER until the delivery timeout
   * (Apache Kafka KAFKA-15591, in the 4.1 broker this build uses).
   */
  private void awaitLeader(String topic) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              for (int p = 0; p < PARTITIONS; p++) {
                scala.Option<kafka.cluster.Partition> partition =
                    broker().replicaManager().onlinePartition(new TopicPartition(topic, p));
                if (partition.isEmpty() || partition.get().leaderLogIfLocal().isEmpty()) {
                  return false;
                }
              }
              return true;
            });
  }

  /**
   * Reads a topic from its beginning until {@code done} holds for what was read, or the time is up.
   *
   * @return the messages, in partition order, as (key, JSON) pairs
   */
  List<Map.Entry<String, JsonNode>> readUntil(
      String topic, Predicate<List<Map.Entry<String, JsonNode>>> done, Duration atMost)
      throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "read-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<Map.Entry<String, JsonNode>> read = new ArrayList<>();
    long deadline = System.nanoTime() + atMost.toNanos();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
      c.subscribe(List.of(topic));
      while (!done.test(read) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          read.add(Map.entry(r.key(), EventSchema.JSON.readTree(r.value())));
        }
      }
    }
    return read;
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
