package org.sipadapter.spi;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.sipadapter.Feature;

/**
 * The capabilities a driver offers now: for each {@link Capability} interface, the object that
 * implements it. {@link #features()} is derived from it, so what an adapter declares and what it
 * can do are one fact.
 *
 * <p>Most drivers implement their capabilities themselves and keep the default {@link
 * AdapterDriver#capabilities()}, which is {@code Capabilities.of(this)}. A driver whose offer
 * depends on its config or on what the server has loaded withholds the rest with {@link #without}.
 *
 * <p>Immutable and thread-safe.
 */
public final class Capabilities {

  /** Every capability, in the order of {@link Feature} where one applies. */
  private static final List<Class<? extends Capability>> ALL =
      List.of(
          Answer.class,
          Reject.class,
          Transfer.class,
          AttendedTransfer.class,
          Hold.class,
          Recording.class,
          SendDtmf.class,
          ReceiveDtmf.class,
          Conference.class,
          Bridge.class,
          OutboundCalls.class,
          InboundCalls.class,
          RefreshStatus.class,
          Resync.class);

  private static final Map<Class<? extends Capability>, Feature> FEATURES =
      Map.ofEntries(
          Map.entry(Answer.class, Feature.ANSWER),
          Map.entry(Reject.class, Feature.REJECT),
          Map.entry(Transfer.class, Feature.TRANSFER),
          Map.entry(AttendedTransfer.class, Feature.ATTENDED_TRANSFER),
          Map.entry(Hold.class, Feature.HOLD),
          Map.entry(Recording.class, Feature.RECORDING),
          Map.entry(SendDtmf.class, Feature.SEND_DTMF),
          Map.entry(ReceiveDtmf.class, Feature.RECEIVE_DTMF),
          Map.entry(Conference.class, Feature.CONFERENCE),
          Map.entry(Bridge.class, Feature.BRIDGE),
          Map.entry(OutboundCalls.class, Feature.OUTBOUND_CALLS),
          Map.entry(InboundCalls.class, Feature.INBOUND_CALLS));

  private final Map<Class<? extends Capability>, Capability> byType;
  private final Set<Feature> features;

  private Capabilities(Map<Class<? extends Capability>, Capability> byType) {
    this.byType = Collections.unmodifiableMap(byType);
    EnumSet<Feature> f = EnumSet.noneOf(Feature.class);
    for (Class<? extends Capability> type : byType.keySet()) {
      Feature feature = FEATURES.get(type);
      if (feature != null) {
        f.add(feature);
      }
    }
    this.features = Collections.unmodifiableSet(f);
  }

  /**
   * The capabilities the given objects implement. When two implement the same one, the first wins.
   *
   * @param parts the driver, and any objects it delegates capabilities to
   * @return the capabilities
   * @throws NullPointerException if a part is null
   */
  public static Capabilities of(Object... parts) {
    Map<Class<? extends Capability>, Capability> byType = new LinkedHashMap<>();
    for (Object part : parts) {
      Objects.requireNonNull(part, "part");
      for (Class<? extends Capability> type : ALL) {
        if (type.isInstance(part)) {
          byType.putIfAbsent(type, (Capability) part);
        }
      }
    }
    return new Capabilities(byType);
  }

  /**
   * These capabilities except the given ones: for an offer that depends on config or on the server.
   *
   * @param withheld the capabilities not offered now
   * @return the rest
   */
  @SafeVarargs
  public final Capabilities without(Class<? extends Capability>... withheld) {
    Map<Class<? extends Capability>, Capability> rest = new LinkedHashMap<>(byType);
    for (Class<? extends Capability> type : withheld) {
      rest.remove(Objects.requireNonNull(type, "capability"));
    }
    return new Capabilities(rest);
  }

  /**
   * Returns the object that offers a capability.
   *
   * @param type the capability, such as {@code Transfer.class}
   * @param <C> the capability type
   * @return the object, or empty when it is not offered
   */
  public <C extends Capability> Optional<C> get(Class<C> type) {
    return Optional.ofNullable(type.cast(byType.get(type)));
  }

  /**
   * Tells whether a capability is offered.
   *
   * @param type the capability
   * @return true if offered
   */
  public boolean has(Class<? extends Capability> type) {
    return byType.containsKey(type);
  }

  /**
   * Returns the features these capabilities make: one per capability that has a {@link Feature}
   * ({@link RefreshStatus} and {@link Resync} have none).
   *
   * @return the features, unmodifiable
   */
  public Set<Feature> features() {
    return features;
  }

  /**
   * Returns the capability that makes a feature.
   *
   * @param feature the feature
   * @return its capability interface
   */
  public static Class<? extends Capability> capabilityOf(Feature feature) {
    Objects.requireNonNull(feature, "feature");
    for (Map.Entry<Class<? extends Capability>, Feature> e : FEATURES.entrySet()) {
      if (e.getValue() == feature) {
        return e.getKey();
      }
    }
    throw new IllegalArgumentException("no capability for " + feature);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Capabilities[");
    String sep = "";
    for (Class<? extends Capability> type : byType.keySet()) {
      b.append(sep).append(type.getSimpleName());
      sep = ", ";
    }
    return b.append(']').toString();
  }
}
