package org.sipadapter.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import org.sipadapter.ConnectionState;
import org.sipadapter.HealthReport;
import org.sipadapter.HealthStatus;
import org.sipadapter.LatencyObserver;
import org.sipadapter.ListenerRegistration;
import org.sipadapter.MetricsSnapshot;
import org.sipadapter.SipAdapter;

/**
 * Binds the metrics of one or many adapters to Micrometer registries. Every meter carries the tags
 * {@code adapter} (the adapter's name) and {@code type} (such as {@code asterisk}), plus any common
 * tags given to the builder.
 *
 * <pre>{@code
 * SipAdapterMetrics metrics = SipAdapterMetrics.of(pbx, proxy);
 * metrics.bindTo(registry);
 * ...
 * metrics.close(); // removes the meters again
 * }</pre>
 *
 * <p>Counters and gauges read {@link SipAdapter#metrics()} when the registry asks for them, so they
 * show everything since the adapter was created. The two timers ({@code sipadapter.requests},
 * {@code sipadapter.call.setup}) record each sample through a {@link LatencyObserver} from the
 * first {@link #bindTo} on, with client-side percentiles and a percentile histogram. The health
 * gauge runs {@link SipAdapter#healthCheck()} (which may ask the server, bounded by the request
 * timeout) at most once per {@link Builder#healthCheckInterval(Duration) interval} and adapter.
 *
 * <p>Thread-safe. One instance may be bound to several registries; {@link #close()} unregisters the
 * observers and removes the meters from every registry it was bound to. It closes no adapter.
 */
public final class SipAdapterMetrics implements MeterBinder, AutoCloseable {
  /** The prefix of every meter name. */
  public static final String PREFIX = "sipadapter";

  private static final double[] DEFAULT_PERCENTILES = {0.5, 0.95, 0.99};

  private final List<Bound> adapters;
  private final Tags commonTags;
  private final double[] percentiles;
  private final boolean histogram;
  private final Duration healthCheckInterval;
  private final List<Registered> registered = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private SipAdapterMetrics(Builder b) {
    this.commonTags = b.tags;
    this.percentiles = b.percentiles.clone();
    this.histogram = b.histogram;
    this.healthCheckInterval = b.healthCheckInterval;
    List<Bound> list = new ArrayList<>();
    for (SipAdapter a : b.adapters) {
      list.add(new Bound(a, healthCheckInterval.toNanos()));
    }
    this.adapters = List.copyOf(list);
  }

  /**
   * Creates a binder for the given adapters with the default settings.
   *
   * @param adapters the adapters; at least one
   * @return the binder, not yet bound
   * @throws IllegalArgumentException if no adapter is given, or two share a name
   */
  public static SipAdapterMetrics of(SipAdapter... adapters) {
    return builder().adapters(List.of(adapters)).build();
  }

  /**
   * Creates a binder for the given adapters with the default settings.
   *
   * @param adapters the adapters; at least one
   * @return the binder, not yet bound
   * @throws IllegalArgumentException if no adapter is given, or two share a name
   */
  public static SipAdapterMetrics of(Collection<? extends SipAdapter> adapters) {
    return builder().adapters(adapters).build();
  }

  /**
   * Starts a binder with settings.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (closed) {
      throw new IllegalStateException("SipAdapterMetrics is closed");
    }
    List<Meter> meters = new ArrayList<>();
    for (Bound b : adapters) {
      bind(b, registry, meters);
    }
    registered.add(new Registered(registry, List.copyOf(meters)));
  }

  /** Stops recording samples and removes this binder's meters from every registry. Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (Bound b : adapters) {
      b.close();
    }
    for (Registered r : registered) {
      r.meters.forEach(r.registry::remove);
    }
    registered.clear();
  }

  private void bind(Bound b, MeterRegistry registry, List<Meter> meters) {
    SipAdapter a = b.adapter;
    Tags tags = Tags.of(Tag.of("adapter", a.name()), Tag.of("type", a.type())).and(commonTags);

    meters.add(
        counter(
            registry,
            "calls.attempted",
            "Outbound calls placed",
            a,
            tags,
            MetricsSnapshot::callsAttempted));
    meters.add(
        counter(
            registry,
            "calls.succeeded",
            "Outbound calls that were answered",
            a,
            tags,
            MetricsSnapshot::callsSucceeded));
    meters.add(
        counter(
            registry,
            "calls.failed",
            "Outbound calls that ended FAILED",
            a,
            tags,
            MetricsSnapshot::callsFailed));
    meters.add(
        counter(
            registry,
            "calls.incoming",
            "Calls that arrived from outside",
            a,
            tags,
            MetricsSnapshot::incomingCalls));
    meters.add(
        counter(
            registry,
            "reconnects",
            "Successful reconnections after a lost link",
            a,
            tags,
            MetricsSnapshot::reconnects));
    meters.add(
        counter(
            registry,
            "events.dropped",
            "Events not delivered: a delivery queue was" + " full",
            a,
            tags,
            MetricsSnapshot::droppedEvents));
    meters.add(
        counter(
            registry,
            "transitions.rejected",
            "Call state changes refused by the" + " transition table",
            a,
            tags,
            MetricsSnapshot::rejectedTransitions));
    meters.add(
        counter(
            registry,
            "listener.errors",
            "Listener calls that threw",
            a,
            tags,
            MetricsSnapshot::listenerErrors));
    meters.add(
        counter(
            registry,
            "listener.slow",
            "Listener calls slower than the threshold",
            a,
            tags,
            MetricsSnapshot::slowListenerCalls));
    meters.add(
        counter(
            registry,
            "orphans.hungup",
            "Given-up calls the server still held, hung" + " up by the adapter",
            a,
            tags,
            MetricsSnapshot::orphansHungUp));

    meters.add(
        Gauge.builder(name("calls.active"), a, x -> x.metrics().activeCalls())
            .description("Calls not yet in a terminal state, both directions")
            .tags(tags)
            .register(registry));
    for (ConnectionState state : ConnectionState.values()) {
      meters.add(
          Gauge.builder(name("connection.state"), a, x -> x.connectionState() == state ? 1 : 0)
              .description("1 for the link's current state, 0 for the others")
              .tags(tags.and("state", lower(state)))
              .register(registry));
    }
    for (HealthStatus status : HealthStatus.values()) {
      meters.add(
          Gauge.builder(name("health"), b, x -> x.health().status() == status ? 1 : 0)
              .description("1 for the adapter's current health status, 0 for the others")
              .tags(tags.and("status", lower(status)))
              .register(registry));
    }

    Timer requests =
        timer("requests", "Round trips of requests to the server", tags)
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    Timer setup =
        timer("call.setup", "Time from makeCall to the answer", tags)
            .minimumExpectedValue(Duration.ofMillis(10))
            .maximumExpectedValue(Duration.ofMinutes(3))
            .register(registry);
    meters.add(requests);
    meters.add(setup);
    b.record(requests, setup);
  }

  private Timer.Builder timer(String suffix, String description, Tags tags) {
    Timer.Builder t = Timer.builder(name(suffix)).description(description).tags(tags);
    if (percentiles.length > 0) {
      t.publishPercentiles(percentiles);
    }
    return t.publishPercentileHistogram(histogram);
  }

  private static FunctionCounter counter(
      MeterRegistry registry,
      String suffix,
      String description,
      SipAdapter adapter,
      Tags tags,
      ToDoubleFunction<MetricsSnapshot> value) {
    return FunctionCounter.builder(name(suffix), adapter, a -> value.applyAsDouble(a.metrics()))
        .description(description)
        .tags(tags)
        .register(registry);
  }

  private static String name(String suffix) {
    return PREFIX + "." + suffix;
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** A registry this binder was bound to, with the meters it registered there. */
  private record Registered(MeterRegistry registry, List<Meter> meters) {}

  /** One adapter: its timers in every registry, its latency observer and its cached health. */
  private static final class Bound implements LatencyObserver {
    final SipAdapter adapter;
    private final long healthIntervalNanos;
    private final List<Timer> requestTimers = new CopyOnWriteArrayList<>();
    private final List<Timer> setupTimers = new CopyOnWriteArrayList<>();
    private final LongSupplier clock = System::nanoTime;
    private ListenerRegistration observation;
    private HealthReport health;
    private long healthAt;

    Bound(SipAdapter adapter, long healthIntervalNanos) {
      this.adapter = adapter;
      this.healthIntervalNanos = healthIntervalNanos;
    }

    synchronized void record(Timer requests, Timer setup) {
      requestTimers.add(requests);
      setupTimers.add(setup);
      if (observation == null) {
        observation = adapter.addLatencyObserver(this);
      }
    }

    synchronized void close() {
      if (observation != null) {
        observation.close();
        observation = null;
      }
      requestTimers.clear();
      setupTimers.clear();
    }

    /** The last health report, refreshed when older than the interval. */
    synchronized HealthReport health() {
      long now = clock.getAsLong();
      if (health == null || now - healthAt >= healthIntervalNanos) {
        health = adapter.healthCheck();
        healthAt = now;
      }
      return health;
    }

    @Override
    public void requestCompleted(long nanos) {
      for (Timer t : requestTimers) {
        t.record(nanos, TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public void callAnswered(long nanos) {
      for (Timer t : setupTimers) {
        t.record(nanos, TimeUnit.NANOSECONDS);
      }
    }
  }

  /** Settings of a {@link SipAdapterMetrics}. */
  public static final class Builder {
    private final List<SipAdapter> adapters = new ArrayList<>();
    private Tags tags = Tags.empty();
    private double[] percentiles = DEFAULT_PERCENTILES;
    private boolean histogram = true;
    private Duration healthCheckInterval = Duration.ofSeconds(10);

    private Builder() {}

    /**
     * Adds an adapter.
     *
     * @param adapter the adapter
     * @return this builder
     */
    public Builder adapter(SipAdapter adapter) {
      adapters.add(Objects.requireNonNull(adapter, "adapter"));
      return this;
    }

    /**
     * Adds adapters.
     *
     * @param adapters the adapters
     * @return this builder
     */
    public Builder adapters(Collection<? extends SipAdapter> adapters) {
      adapters.forEach(this::adapter);
      return this;
    }

    /**
     * Adds tags to every meter, such as the application's region.
     *
     * @param tags the tags
     * @return this builder
     */
    public Builder tags(Iterable<Tag> tags) {
      this.tags = this.tags.and(Objects.requireNonNull(tags, "tags"));
      return this;
    }

    /**
     * Sets the client-side percentiles the two timers publish; none to publish none. Default 0.5,
     * 0.95 and 0.99.
     *
     * @param percentiles values between 0 and 1
     * @return this builder
     * @throws IllegalArgumentException if a value is outside 0..1
     */
    public Builder percentiles(double... percentiles) {
      for (double p : percentiles) {
        if (!(p >= 0 && p <= 1)) {
          throw new IllegalArgumentException("a percentile is between 0 and 1, was " + p);
        }
      }
      this.percentiles = percentiles.clone();
      return this;
    }

    /**
     * Sets whether the two timers publish a percentile histogram (Prometheus {@code _bucket}
     * series, for {@code histogram_quantile} across instances). Default true.
     *
     * @param histogram whether to publish it
     * @return this builder
     */
    public Builder percentileHistogram(boolean histogram) {
      this.histogram = histogram;
      return this;
    }

    /**
     * Sets how long a health check is reused by the health gauge. Default 10 seconds; zero checks
     * on every read.
     *
     * @param interval the interval, zero or positive
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder healthCheckInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative()) {
        throw new IllegalArgumentException("healthCheckInterval must not be negative");
      }
      this.healthCheckInterval = interval;
      return this;
    }

    /**
     * Builds the binder.
     *
     * @return the binder, not yet bound
     * @throws IllegalArgumentException if no adapter was added, or two share a name
     */
    public SipAdapterMetrics build() {
      if (adapters.isEmpty()) {
        throw new IllegalArgumentException("SipAdapterMetrics needs at least one adapter");
      }
      List<String> names = new ArrayList<>();
      for (SipAdapter a : adapters) {
        if (names.contains(a.name())) {
          throw new IllegalArgumentException(
              "two adapters are named '"
                  + a.name()
                  + "': the adapter tag would mix their meters; give each its own name");
        }
        names.add(a.name());
      }
      return new SipAdapterMetrics(this);
    }
  }
}
