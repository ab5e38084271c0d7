package org.sipadapter;

/**
 * The adapter does not offer the requested optional operation. Check {@link SipAdapter#features()}
 * before calling; an adapter never turns a missing feature into a silent no-op.
 */
public class UnsupportedFeatureException extends SipAdapterException {
  private static final long serialVersionUID = 1L;

  private final Feature feature;
  private final String adapterType;

  /**
   * Creates the exception.
   *
   * @param feature the feature that was asked for
   * @param adapterType the adapter's type name, such as {@code kamailio}
   */
  public UnsupportedFeatureException(Feature feature, String adapterType) {
    this(feature, adapterType, null);
  }

  /**
   * Creates the exception with a reason.
   *
   * @param feature the feature that was asked for
   * @param adapterType the adapter's type name
   * @param reason why the adapter cannot offer it, or null
   */
  public UnsupportedFeatureException(Feature feature, String adapterType, String reason) {
    super(
        "The "
            + adapterType
            + " adapter does not support "
            + feature.displayName()
            + (reason == null ? "" : ": " + reason)
            + " (see features())");
    this.feature = feature;
    this.adapterType = adapterType;
  }

  /**
   * Returns the feature that was asked for.
   *
   * @return the feature
   */
  public Feature feature() {
    return feature;
  }

  /**
   * Returns the type of the adapter that lacks the feature.
   *
   * @return the adapter type name
   */
  public String adapterType() {
    return adapterType;
  }
}
