package org.sipadapter.spi;

import java.util.Objects;

/**
 * Which user value is about to go onto the wire, for {@link AdapterDriver#checkWire}: a driver
 * switches on {@link #kind()} to apply its protocol's rules, and names the field with {@link
 * #toString()} in its message ({@code from}, {@code variable X-Ref}, {@code header name}, ...).
 *
 * @param kind what the value is
 * @param name the variable's or header's name for {@link Kind#VARIABLE} and {@link Kind#HEADER},
 *     the label for {@link Kind#OTHER}, empty otherwise
 */
public record WireField(Kind kind, String name) {

  /** What a checked value is. */
  public enum Kind {
    /** The caller given to {@code makeCall}. */
    FROM("from"),
    /** The destination given to {@code makeCall}. */
    TO("to"),
    /** {@code CallOptions.callerIdName}. */
    CALLER_ID_NAME("callerIdName"),
    /** {@code CallOptions.callerIdNumber}. */
    CALLER_ID_NUMBER("callerIdNumber"),
    /** The name of one of {@code CallOptions.variables}. */
    VARIABLE_NAME("variable name"),
    /** The value of one of {@code CallOptions.variables}. */
    VARIABLE("variable"),
    /** The name of one of {@code CallOptions.headers}. */
    HEADER_NAME("header name"),
    /** The value of one of {@code CallOptions.headers}. */
    HEADER("header"),
    /** The destination of a transfer. */
    TARGET("target"),
    /** The file a recording goes to. */
    FILE_NAME("fileName"),
    /** A conference room's name. */
    ROOM("room"),
    /** A value of an adapter's own operation, named by {@link WireField#name()}. */
    OTHER("");

    private final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /** The caller. */
  public static final WireField FROM = new WireField(Kind.FROM, "");

  /** The destination. */
  public static final WireField TO = new WireField(Kind.TO, "");

  /** The caller id name. */
  public static final WireField CALLER_ID_NAME = new WireField(Kind.CALLER_ID_NAME, "");

  /** The caller id number. */
  public static final WireField CALLER_ID_NUMBER = new WireField(Kind.CALLER_ID_NUMBER, "");

  /** A variable's name. */
  public static final WireField VARIABLE_NAME = new WireField(Kind.VARIABLE_NAME, "");

  /** A header's name. */
  public static final WireField HEADER_NAME = new WireField(Kind.HEADER_NAME, "");

  /** A transfer's destination. */
  public static final WireField TARGET = new WireField(Kind.TARGET, "");

  /** A recording's file. */
  public static final WireField FILE_NAME = new WireField(Kind.FILE_NAME, "");

  /** A conference room. */
  public static final WireField ROOM = new WireField(Kind.ROOM, "");

  /**
   * Checks the components.
   *
   * @throws NullPointerException if a component is null
   */
  public WireField {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
  }

  /**
   * The value of a call variable.
   *
   * @param name the variable's name
   * @return the field
   */
  public static WireField variable(String name) {
    return new WireField(Kind.VARIABLE, name);
  }

  /**
   * The value of a SIP header.
   *
   * @param name the header's name
   * @return the field
   */
  public static WireField header(String name) {
    return new WireField(Kind.HEADER, name);
  }

  /**
   * A value of an adapter's own operation.
   *
   * @param label how messages name it, such as {@code message name}
   * @return the field
   */
  public static WireField other(String label) {
    return new WireField(Kind.OTHER, label);
  }

  /**
   * Returns how messages name the field: {@code from}, {@code variable X-Ref}, {@code header name},
   * or an adapter's own label.
   *
   * @return the label
   */
  @Override
  public String toString() {
    return switch (kind) {
      case VARIABLE, HEADER -> kind.label + " " + name;
      case OTHER -> name;
      default -> kind.label;
    };
  }
}
