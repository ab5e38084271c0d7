package org.sipadapter.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallState;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.asterisk.AsteriskAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.EventSettings;
import org.sipadapter.event.AdapterEvent;
import org.sipadapter.event.CallStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.testkit.ami.AmiEmulator;

/**
 * Numbers for docs/performance.md, against a real KRaft broker in this JVM (not a unit test; run
 * with {@code -Pstress}):
 *
 * <ol>
 *   <li>1,000 calls, 100 at a time, from an AMI emulator through the adapter and the publisher to
 *       the broker: messages per second to the broker's acknowledgement, the latency from the
 *       listener to the acknowledgement (p50/p99), the most the buffer held;
 *   <li>the adapter's own event throughput (server frame to a listener) with and without the sink
 *       attached, 5,000 inbound calls each run, runs alternating;
 *   <li>at a steady rate the adapter keeps up with ({@value #PACED_RATE} inbound calls per second),
 *       the latency from the emulator's frame to the listener, with and without the sink (to the
 *       broker), runs alternating: what the sink adds to the listener path when the adapter is not
 *       saturated.
 * </ol>
 *
 * Prints a report and writes it to {@code target/load/kafka.txt}.
 */
@Tag("stress")
class KafkaLoadHarness {

  private static final int CALLS = 1_000;
  private static final int CONCURRENT = 100;
  private static final int PATH_CALLS = 5_000;
  private static final int PATH_RUNS = 7;
  private static final int PACED_RATE = 500;
  private static final int PACED_CALLS = 2_500;
  private static final int PACED_RUNS = 5;

  private final StringBuilder report = new StringBuilder();

  private void line(String format, Object... args) {
    String s = String.format(Locale.ROOT, format, args);
    System.out.println(s);
    report.append(s).append('\n');
  }

  /** A producer that notes, per message, the time from serialisation to acknowledgement. */
  @SuppressWarnings("unchecked")
  private static Producer<String, String> timed(
      Producer<String, String> real, List<Long> latenciesMicros) {
    return (Producer<String, String>)
        Proxy.newProxyInstance(
            Producer.class.getClassLoader(),
            new Class<?>[] {Producer.class},
            (proxy, method, args) -> {
              if (method.getName().equals("send") && args != null && args.length == 2) {
                ProducerRecord<String, String> r = (ProducerRecord<String, String>) args[0];
                Callback cb = (Callback) args[1];
                Instant published = publishedAt(r.value());
                args =
                    new Object[] {
                      r,
                      (Callback)
                          (meta, error) -> {
                            if (error == null && published != null) {
                              long us = Duration.between(published, Instant.now()).toNanos() / 1000;
                              synchronized (latenciesMicros) {
                                latenciesMicros.add(us);
                              }
                            }
                            cb.onCompletion(meta, error);
                          }
                    };
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private static Instant publishedAt(String json) {
    int at = json.indexOf("\"publishedAt\":\"");
    if (at < 0) {
      return null;
    }
    int from = at + 15;
    return Instant.parse(json.substring(from, json.indexOf('"', from)));
  }

  private static long percentile(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return -1;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  private static SipAdapter adapter(AmiEmulator pbx, String name) {
    return new AsteriskAdapter(
        AdapterConfig.builder("asterisk")
            .name(name)
            .server(pbx.host(), pbx.port())
            .auth("admin", "amipass")
            .events(new EventSettings(2, 200_000, Duration.ofSeconds(1)))
            .build());
  }

  @Test
  void report() throws Exception {
    line("sip-adapter Kafka load harness, %s", Instant.now());
    line(
        "machine: %d cores, java %s, max heap %d MiB",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20);
    try (InJvmKafka kafka = InJvmKafka.start()) {
      thousandCallsToTheBroker(kafka);
      listenerPathWithAndWithoutTheSink(kafka);
      pacedLatencyWithAndWithoutTheSink(kafka);
    }
    Path out = Path.of("target", "load", "kafka.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
  }

  private void thousandCallsToTheBroker(InJvmKafka kafka) throws Exception {
    String[] topics = kafka.newTopics();
    KafkaSinkSettings settings =
        KafkaSinkSettings.defaults(kafka.bootstrap()).withTopics(topics[0], topics[1]);
    List<Long> latencies = new ArrayList<>();
    AtomicInteger maxBuffered = new AtomicInteger();
    long start;
    long end;
    PublisherMetrics m;
    try (AmiEmulator pbx =
            AmiEmulator.create()
                .outcome("2000", AmiEmulator.Outcome.ANSWER)
                .ringTimes(Duration.ofMillis(10), Duration.ofSeconds(30))
                .start();
        KafkaEventPublisher publisher =
            new KafkaEventPublisher(
                settings, timed(new KafkaProducer<>(settings.producerProperties()), latencies));
        SipAdapter a = adapter(pbx, "pbx")) {
      publisher.attach(a);
      a.connect();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> publisher.metrics().acknowledged() == publisher.metrics().accepted());
      long before = publisher.metrics().acknowledged();
      synchronized (latencies) {
        latencies.clear();
      }
      Thread sampler =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  maxBuffered.accumulateAndGet(publisher.metrics().buffered(), Math::max);
                  try {
                    Thread.sleep(2);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "buffer-sampler");
      sampler.setDaemon(true);
      sampler.start();
      start = System.nanoTime();
      int placed = 0;
      while (placed < CALLS) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < CONCURRENT && placed + ids.size() < CALLS; i++) {
          ids.add(a.makeCall("1000", "2000"));
        }
        await()
            .atMost(Duration.ofSeconds(120))
            .until(
                () -> ids.stream().allMatch(id -> a.getStatus(id).state() == CallState.CONNECTED));
        ids.forEach(a::hangup);
        placed += ids.size();
      }
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () ->
                  a.callHistory().size() >= CALLS
                      && publisher.metrics().buffered() == 0
                      && publisher.metrics().acknowledged() == publisher.metrics().accepted());
      end = System.nanoTime();
      sampler.interrupt();
      m = publisher.metrics();
      m =
          new PublisherMetrics(
              m.accepted() - before,
              m.acknowledged() - before,
              m.buffered(),
              m.droppedNonTerminal(),
              m.failedNonTerminal(),
              m.retriedTerminal(),
              m.terminalOverflow(),
              m.recordsMissing(),
              m.spilled(),
              m.replayed(),
              m.spillPending());
    }
    List<Long> sorted;
    synchronized (latencies) {
      sorted = new ArrayList<>(latencies);
    }
    sorted.sort(null);
    double seconds = (end - start) / 1e9;
    line("");
    line("1. %,d calls (%d at a time) from the AMI emulator to the broker", CALLS, CONCURRENT);
    line(
        "   messages acknowledged: %,d (events and records) in %.2f s = %,.0f messages/s",
        m.acknowledged(), seconds, m.acknowledged() / seconds);
    line(
        "   listener to broker acknowledgement: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
        percentile(sorted, 50) / 1000.0,
        percentile(sorted, 99) / 1000.0,
        percentile(sorted, 100) / 1000.0);
    line(
        "   buffer: at most %d of %d messages; dropped %d, overflow %d, spilled %d",
        maxBuffered.get(),
        settings.bufferCapacity(),
        m.droppedNonTerminal(),
        m.terminalOverflow(),
        m.spilled());
    assertThat(m.acknowledged()).isEqualTo(m.accepted());
  }

  /** Counts the terminal events a listener has seen, for one run at a time. */
  private static final class Ends implements SipAdapterListener {
    final AtomicLong ended = new AtomicLong();
    final AtomicLong events = new AtomicLong();

    @Override
    public void onEvent(AdapterEvent event) {
      events.incrementAndGet();
      if (event instanceof CallStateChanged c && c.isTerminal()) {
        ended.incrementAndGet();
      }
    }
  }

  private void listenerPathWithAndWithoutTheSink(InJvmKafka kafka) throws Exception {
    String[] topics = kafka.newTopics();
    KafkaSinkSettings settings =
        KafkaSinkSettings.defaults(kafka.bootstrap())
            .withTopics(topics[0], topics[1])
            .withBuffer(100_000, 10_000);
    double[] without = new double[PATH_RUNS];
    double[] local = new double[PATH_RUNS];
    double[] broker = new double[PATH_RUNS];
    double[] acked = new double[PATH_RUNS];
    double[][] pathCpu = new double[3][PATH_RUNS];
    double[][] sinkCpuPerEvent = new double[2][PATH_RUNS];
    long dropped = 0;
    // A producer that acknowledges at once: the sink's own cost, without a broker on these cores.
    MockProducer<String, String> instant =
        new MockProducer<>(true, null, new StringSerializer(), new StringSerializer()) {
          @Override
          public synchronized java.util.concurrent.Future<RecordMetadata> send(
              ProducerRecord<String, String> record, Callback callback) {
            java.util.concurrent.Future<RecordMetadata> f = super.send(record, callback);
            clear();
            return f;
          }
        };
    try (AmiEmulator pbx = AmiEmulator.create().start();
        KafkaEventPublisher toBroker = new KafkaEventPublisher(settings);
        KafkaEventPublisher toNothing = new KafkaEventPublisher(settings, instant);
        SipAdapter a = adapter(pbx, "pbx")) {
      Ends ends = new Ends();
      a.addListener(ends);
      a.connect();
      // Warm-up of every path, then alternate: without, local, broker, without, ...
      run(pbx, a, ends, 1_000);
      try (var attached = toNothing.attach(a)) {
        run(pbx, a, ends, 1_000);
      }
      try (var attached = toBroker.attach(a)) {
        run(pbx, a, ends, 1_000);
      }
      await().atMost(Duration.ofSeconds(120)).until(() -> toBroker.metrics().buffered() == 0);
      for (int r = 0; r < PATH_RUNS; r++) {
        long events = ends.events.get();
        long adapterCpu = cpu(ADAPTER_THREADS);
        without[r] = run(pbx, a, ends, PATH_CALLS);
        pathCpu[0][r] = (cpu(ADAPTER_THREADS) - adapterCpu) / (double) (ends.events.get() - events);

        events = ends.events.get();
        adapterCpu = cpu(ADAPTER_THREADS);
        long sinkCpu = cpu(SINK_THREADS);
        try (var attached = toNothing.attach(a)) {
          local[r] = run(pbx, a, ends, PATH_CALLS);
          await().atMost(Duration.ofSeconds(120)).until(() -> toNothing.metrics().buffered() == 0);
        }
        pathCpu[1][r] = (cpu(ADAPTER_THREADS) - adapterCpu) / (double) (ends.events.get() - events);
        sinkCpuPerEvent[0][r] =
            (cpu(SINK_THREADS) - sinkCpu) / (double) (ends.events.get() - events);

        long acked0 = toBroker.metrics().acknowledged();
        long start = System.nanoTime();
        events = ends.events.get();
        adapterCpu = cpu(ADAPTER_THREADS);
        sinkCpu = cpu(SINK_THREADS);
        try (var attached = toBroker.attach(a)) {
          broker[r] = run(pbx, a, ends, PATH_CALLS);
        }
        pathCpu[2][r] = (cpu(ADAPTER_THREADS) - adapterCpu) / (double) (ends.events.get() - events);
        long accepted = toBroker.metrics().accepted();
        await()
            .atMost(Duration.ofSeconds(120))
            .until(() -> toBroker.metrics().acknowledged() >= accepted);
        acked[r] =
            (toBroker.metrics().acknowledged() - acked0) / ((System.nanoTime() - start) / 1e9);
        sinkCpuPerEvent[1][r] =
            (cpu(SINK_THREADS) - sinkCpu) / (double) (ends.events.get() - events);
      }
      dropped = a.metrics().droppedEvents();
    }
    double medianWithout = median(without);
    double medianLocal = median(local);
    double medianBroker = median(broker);
    line("");
    line(
        "2. the adapter's event path, server frame to listener: %,d inbound calls per run (3 events"
            + " each), %d runs of each, alternating",
        PATH_CALLS, PATH_RUNS);
    line(
        "   without the sink:               %s events/s (median %,.0f)",
        rates(without), medianWithout);
    line(
        "   sink, producer acking at once:  %s events/s (median %,.0f) = %.1f %% slower",
        rates(local), medianLocal, (1 - medianLocal / medianWithout) * 100);
    line(
        "   sink, in-JVM broker:            %s events/s (median %,.0f) = %.1f %% slower",
        rates(broker), medianBroker, (1 - medianBroker / medianWithout) * 100);
    line(
        "   broker acknowledgements in those runs: %s messages/s (median %,.0f)",
        rates(acked), median(acked));
    line("   events dropped by the adapter: %d", dropped);
    line("   CPU per event on the adapter's own threads (reader, event lanes: the listener path):");
    line(
        "     without the sink %.1f us, with it (acking at once) %.1f us, with it (broker) %.1f us:"
            + " +%.1f %% / +%.1f %%",
        median(pathCpu[0]) / 1000,
        median(pathCpu[1]) / 1000,
        median(pathCpu[2]) / 1000,
        (median(pathCpu[1]) / median(pathCpu[0]) - 1) * 100,
        (median(pathCpu[2]) / median(pathCpu[0]) - 1) * 100);
    line(
        "   CPU per event on the sink's threads (sender, producer I/O): %.1f us acking at once,"
            + " %.1f us to the broker",
        median(sinkCpuPerEvent[0]) / 1000, median(sinkCpuPerEvent[1]) / 1000);
  }

  private void pacedLatencyWithAndWithoutTheSink(InJvmKafka kafka) throws Exception {
    String[] topics = kafka.newTopics();
    KafkaSinkSettings settings =
        KafkaSinkSettings.defaults(kafka.bootstrap()).withTopics(topics[0], topics[1]);
    List<Long> without = new ArrayList<>();
    List<Long> with = new ArrayList<>();
    double[][] p50 = new double[2][PACED_RUNS];
    double[][] p99 = new double[2][PACED_RUNS];
    Arrivals arrivals = new Arrivals();
    try (AmiEmulator pbx = AmiEmulator.create().start();
        KafkaEventPublisher publisher = new KafkaEventPublisher(settings);
        SipAdapter a = adapter(pbx, "pbx")) {
      a.addListener(arrivals);
      a.connect();
      paced(pbx, arrivals, 500, new ArrayList<>());
      try (var attached = publisher.attach(a)) {
        paced(pbx, arrivals, 500, new ArrayList<>());
      }
      for (int r = 0; r < PACED_RUNS; r++) {
        List<Long> plain = new ArrayList<>();
        paced(pbx, arrivals, PACED_CALLS, plain);
        without.addAll(plain);
        p50[0][r] = percentile(sorted(plain), 50);
        p99[0][r] = percentile(sorted(plain), 99);
        List<Long> sink = new ArrayList<>();
        try (var attached = publisher.attach(a)) {
          paced(pbx, arrivals, PACED_CALLS, sink);
        }
        with.addAll(sink);
        p50[1][r] = percentile(sorted(sink), 50);
        p99[1][r] = percentile(sorted(sink), 99);
        long accepted = publisher.metrics().accepted();
        await()
            .atMost(Duration.ofSeconds(120))
            .until(() -> publisher.metrics().acknowledged() >= accepted);
      }
    }
    List<Long> w = sorted(without);
    List<Long> s = sorted(with);
    line("");
    line(
        "3. at a steady %,d inbound calls/s (%,d calls per run, %d runs of each, alternating):"
            + " emulator frame to listener",
        PACED_RATE, PACED_CALLS, PACED_RUNS);
    line(
        "   without the sink: p50 %.0f us, p99 %.0f us (per run p50 %s us, p99 %s us)",
        percentile(w, 50) / 1000.0, percentile(w, 99) / 1000.0, micros(p50[0]), micros(p99[0]));
    line(
        "   sink to the in-JVM broker: p50 %.0f us, p99 %.0f us (per run p50 %s us, p99 %s us)",
        percentile(s, 50) / 1000.0, percentile(s, 99) / 1000.0, micros(p50[1]), micros(p99[1]));
    line(
        "   median of the runs' p50: %+.1f %% with the sink",
        (median(p50[1]) / median(p50[0]) - 1) * 100);
  }

  private static List<Long> sorted(List<Long> values) {
    List<Long> v = new ArrayList<>(values);
    v.sort(null);
    return v;
  }

  private static String micros(double[] nanos) {
    List<String> s = new ArrayList<>();
    for (double d : nanos) {
      s.add(String.format(Locale.ROOT, "%,.0f", d / 1000));
    }
    return String.join(" / ", s);
  }

  /**
   * Announces {@code calls} inbound calls at {@value #PACED_RATE} per second, each hung up by the
   * emulator right after, and adds, per call, the nanoseconds from the emulator's announcement to
   * the listener's {@code IncomingCall}.
   */
  private static void paced(AmiEmulator pbx, Arrivals arrivals, int calls, List<Long> latencies) {
    long interval = 1_000_000_000L / PACED_RATE;
    long start = System.nanoTime();
    List<String> keys = new ArrayList<>(calls);
    for (int i = 0; i < calls; i++) {
      long due = start + i * interval;
      while (System.nanoTime() < due) {
        LockSupport.parkNanos(due - System.nanoTime());
      }
      String from = "7" + arrivals.next.incrementAndGet();
      arrivals.sent.put(from, System.nanoTime());
      keys.add(from);
      pbx.remoteHangup(pbx.incomingCall(from, "2000"), 16);
    }
    await()
        .atMost(Duration.ofSeconds(120))
        .until(() -> keys.stream().allMatch(arrivals.latency::containsKey));
    for (String k : keys) {
      latencies.add(arrivals.latency.remove(k));
      arrivals.sent.remove(k);
    }
  }

  /** Notes when each inbound call reached the listener, by its calling number. */
  private static final class Arrivals implements SipAdapterListener {
    final AtomicLong next = new AtomicLong();
    final ConcurrentHashMap<String, Long> sent = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, Long> latency = new ConcurrentHashMap<>();

    @Override
    public void onEvent(AdapterEvent event) {
      if (event instanceof IncomingCall c) {
        long now = System.nanoTime();
        Long at = sent.get(c.from());
        if (at != null) {
          latency.put(c.from(), now - at);
        }
      }
    }
  }

  /** CPU nanoseconds used so far by the live threads whose names start with a prefix. */
  private static long cpu(String... prefixes) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      for (String p : prefixes) {
        if (t.getName().startsWith(p)) {
          total += Math.max(0, mx.getThreadCpuTime(t.getId()));
          break;
        }
      }
    }
    return total;
  }

  private static final String[] ADAPTER_THREADS = {"sipadapter-pbx-"};
  private static final String[] SINK_THREADS = {
    "sipadapter-kafka-sender", "kafka-producer-network-thread"
  };

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[v.length / 2];
  }

  private static String rates(double[] r) {
    List<String> s = new ArrayList<>();
    for (double d : r) {
      s.add(String.format(Locale.ROOT, "%,.0f", d));
    }
    return String.join(" / ", s);
  }

  /**
   * Streams {@code calls} inbound calls and their remote hangups from the emulator and returns the
   * adapter's events per second, from the first frame to the listener's last terminal event.
   */
  private static double run(AmiEmulator pbx, SipAdapter a, Ends ends, int calls) {
    long events0 = ends.events.get();
    long target = ends.ended.get() + calls;
    long start = System.nanoTime();
    List<String> channels = new ArrayList<>(calls);
    for (int i = 0; i < calls; i++) {
      channels.add(pbx.incomingCall("1" + (1000 + i % 9000), "2000"));
    }
    for (String c : channels) {
      pbx.remoteHangup(c, 16);
    }
    await().atMost(Duration.ofSeconds(300)).until(() -> ends.ended.get() >= target);
    long end = System.nanoTime();
    long events = ends.events.get() - events0;
    return events / ((end - start) / 1e9);
  }
}
