package org.sipadapter.config;

import java.util.Objects;

/**
 * A password, secret or token. Its {@link #toString()} never shows the value, so a secret can sit
 * in a config object that gets logged or printed. Read the value only at the point where it goes
 * onto the wire, with {@link #reveal()}.
 */
public final class Secret {
  /** What {@link #toString()} prints in place of the value. */
  public static final String MASK = "******";

  private static final Secret EMPTY = new Secret("");

  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /**
   * Wraps a secret value.
   *
   * @param value the secret; null gives the empty secret
   * @return the wrapper
   */
  public static Secret of(String value) {
    return value == null || value.isEmpty() ? EMPTY : new Secret(value);
  }

  /**
   * Returns the empty secret.
   *
   * @return a secret with no value
   */
  public static Secret empty() {
    return EMPTY;
  }

  /**
   * Returns the secret in clear text. Call it only to put the value on the wire.
   *
   * @return the value, never null
   */
  public String reveal() {
    return value;
  }

  /**
   * Tells whether there is no value.
   *
   * @return true if empty
   */
  public boolean isEmpty() {
    return value.isEmpty();
  }

  /**
   * Returns {@value #MASK}, or an empty string for the empty secret.
   *
   * @return the mask, never the value
   */
  @Override
  public String toString() {
    return value.isEmpty() ? "" : MASK;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret && ((Secret) o).value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value);
  }
}
