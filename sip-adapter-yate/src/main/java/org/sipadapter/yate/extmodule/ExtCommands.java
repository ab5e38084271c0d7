package org.sipadapter.yate.extmodule;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds the lines an external module sends, each ending in LF.
 *
 * <p>What is escaped and what is refused, per field:
 *
 * <ul>
 *   <li>message parameter values, return values and message names are escaped ({@code %z} for
 *       {@code :}, {@code %%}, {@code %J}/{@code %M} ...), so any text reaches Yate intact;
 *   <li>parameter names are escaped too, but must not be empty or contain {@code =} (Yate splits at
 *       the first {@code =} and does not accept the {@code %}} it writes itself);
 *   <li>message ids, handler names, filters and {@code setlocal} names and values are sent as they
 *       are ({@code install}, {@code watch} and {@code setlocal} fields are not all unescaped by
 *       Yate), so control characters, {@code :} and {@code %} are refused there.
 * </ul>
 *
 * Refusals are {@link IllegalArgumentException}s naming the field. Stateless and thread-safe.
 */
public final class ExtCommands {
  private ExtCommands() {}

  /**
   * {@code %%>connect:<role>}, the first line on a listener without a preset role.
   *
   * @param role {@code global} or {@code channel}
   * @return the line
   */
  public static byte[] connect(String role) {
    return line("%%>connect:" + plain("role", role));
  }

  /**
   * {@code %%>message:<id>:<time>:<name>:<retval>[:k=v...]}: dispatches a message.
   *
   * @param id an id unique among this module's pending messages
   * @param time Unix seconds (0 is allowed)
   * @param name the message name
   * @param retval the initial return value, usually empty
   * @param params the parameters
   * @return the line
   */
  public static byte[] message(String id, long time, String name, String retval, Params params) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    write(out, "%%>message:");
    write(out, plain("message id", id));
    write(out, ":" + time + ":");
    escaped(out, notEmpty("message name", name));
    out.write(':');
    escaped(out, retval);
    appendParams(out, params);
    out.write('\n');
    return out.toByteArray();
  }

  /**
   * {@code %%<message:<id>:<processed>:<newname>:<retval>[:k=v...]}: answers a message Yate
   * dispatched to an installed handler. A parameter with an empty value is sent as {@code k=}; it
   * is not deleted.
   *
   * @param id Yate's id from the {@code %%>message}
   * @param processed whether this module handled it
   * @param newName a new message name, or empty to keep it
   * @param retval the return value
   * @param params parameters to set
   * @return the line
   */
  public static byte[] answer(
      String id, boolean processed, String newName, String retval, Params params) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    write(out, "%%<message:");
    escaped(out, id);
    write(out, processed ? ":true:" : ":false:");
    escaped(out, newName);
    out.write(':');
    escaped(out, retval);
    appendParams(out, params);
    out.write('\n');
    return out.toByteArray();
  }

  /**
   * {@code %%>install:<prio>:<name>[:<filter>:<value>]}.
   *
   * @param priority handler priority (lower runs first; Yate's default is 100)
   * @param name the message name
   * @param filterName a parameter the message must carry, or null for none
   * @param filterValue the value it must have (with a filter name)
   * @return the line
   */
  public static byte[] install(int priority, String name, String filterName, String filterValue) {
    StringBuilder sb = new StringBuilder("%%>install:").append(priority).append(':');
    sb.append(plain("handler name", notEmpty("handler name", name)));
    if (filterName != null) {
      sb.append(':').append(plain("filter name", notEmpty("filter name", filterName)));
      sb.append(':').append(plain("filter value", filterValue));
    }
    return line(sb.toString());
  }

  /**
   * {@code %%>uninstall:<name>}.
   *
   * @param name the message name
   * @return the line
   */
  public static byte[] uninstall(String name) {
    return line("%%>uninstall:" + plain("handler name", name));
  }

  /**
   * {@code %%>watch:<name>}: notifications of every {@code name} message after dispatch.
   *
   * @param name the message name (empty watches all)
   * @return the line
   */
  public static byte[] watch(String name) {
    return line("%%>watch:" + plain("watch name", name));
  }

  /**
   * {@code %%>unwatch:<name>}.
   *
   * @param name the message name
   * @return the line
   */
  public static byte[] unwatch(String name) {
    return line("%%>unwatch:" + plain("watch name", name));
  }

  /**
   * {@code %%>setlocal:<name>:<value>}; an empty value queries.
   *
   * @param name the parameter, such as {@code engine.version} or {@code timeout}
   * @param value the new value, or empty to read
   * @return the line
   */
  public static byte[] setlocal(String name, String value) {
    return line(
        "%%>setlocal:"
            + plain("setlocal name", notEmpty("setlocal name", name))
            + ":"
            + plain("setlocal value", value));
  }

  /**
   * {@code %%>output:<text>}: a line for Yate's log. The text is escaped.
   *
   * @param text the text
   * @return the line
   */
  public static byte[] output(String text) {
    return line("%%>output:" + ExtEscaping.escape(text));
  }

  /** {@code %%>quit}: Yate answers {@code %%<quit} and closes the socket. */
  public static byte[] quit() {
    return line("%%>quit");
  }

  /**
   * Checks a parameter name: not empty, no {@code =}, no control characters.
   *
   * @param name the name
   * @return the name
   * @throws IllegalArgumentException if it cannot be sent
   */
  public static String checkParamName(String name) {
    notEmpty("parameter name", name);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '=' || c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException(
            "parameter name must not contain '=' or control characters: " + printable(name));
      }
    }
    return name;
  }

  /**
   * Checks a field that goes out unescaped: no control characters, {@code :} or {@code %}.
   *
   * @param field the field's name, for the message
   * @param value the value
   * @return the value
   * @throws IllegalArgumentException if it cannot be sent
   */
  public static String plain(String field, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f || c == ':' || c == '%') {
        throw new IllegalArgumentException(
            field + " must not contain ':', '%' or control characters: " + printable(value));
      }
    }
    return value;
  }

  private static String notEmpty(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(field + " must not be empty");
    }
    return value;
  }

  private static void appendParams(ByteArrayOutputStream out, Params params) {
    for (int i = 0; i < params.size(); i++) {
      out.write(':');
      escaped(out, checkParamName(params.name(i)));
      out.write('=');
      escaped(out, params.value(i));
    }
  }

  private static void escaped(ByteArrayOutputStream out, String s) {
    ExtEscaping.appendEscaped(out, s.getBytes(StandardCharsets.UTF_8));
  }

  private static void write(ByteArrayOutputStream out, String ascii) {
    out.writeBytes(ascii.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] line(String s) {
    return (s + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 80; i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return sb.toString();
  }
}
