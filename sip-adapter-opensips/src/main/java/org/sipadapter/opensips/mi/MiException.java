package org.sipadapter.opensips.mi;

import com.fasterxml.jackson.databind.JsonNode;
import org.sipadapter.transport.JsonRpcException;

/**
 * OpenSIPS answered an MI command with a JSON-RPC error. Keeps OpenSIPS's code and message ({@link
 * #code()}, {@link #rpcMessage()}) and adds what to do about it to the exception message.
 *
 * <p>Codes seen from OpenSIPS 3.x: {@code -32601} (no such command: its module is not loaded),
 * {@code -32602} (parameters refused), {@code -32700}/{@code -32600} (request not understood), and
 * command-level SIP-like codes such as {@code 404 "Requested Dialog not found"} or {@code 400 "Bad
 * parameter value"}.
 */
public final class MiException extends JsonRpcException {
  private static final long serialVersionUID = 1L;

  private final String hint;

  /**
   * Creates the exception.
   *
   * @param method the MI command
   * @param code OpenSIPS's error code
   * @param rpcMessage OpenSIPS's error message
   * @param hint what the user can do, or empty
   */
  public MiException(String method, int code, String rpcMessage, String hint) {
    this(method, code, rpcMessage, null, hint);
  }

  /**
   * Creates the exception with the error's {@code data} member, which OpenSIPS sends with {@code
   * -32602} (e.g. {@code "Named parameters do not match"}).
   *
   * @param method the MI command
   * @param code OpenSIPS's error code
   * @param rpcMessage OpenSIPS's error message
   * @param data the error's data member, or null when there was none
   * @param hint what the user can do, or empty
   */
  public MiException(String method, int code, String rpcMessage, JsonNode data, String hint) {
    super(method, code, rpcMessage, data);
    this.hint = hint == null ? "" : hint;
  }

  /**
   * Builds the exception for a JSON-RPC error, keeping its data, with a hint chosen from the code
   * and command.
   */
  public static MiException of(JsonRpcException e) {
    return new MiException(
        e.method(), e.code(), e.rpcMessage(), e.data().orElse(null), hint(e.method(), e.code()));
  }

  /** Tells whether OpenSIPS reported the object (dialog, AOR, profile) as not found. */
  public boolean notFound() {
    return code() == 404;
  }

  /** What the user can do about the error; empty when nothing specific applies. */
  public String hint() {
    return hint;
  }

  @Override
  public String getMessage() {
    return hint.isEmpty() ? super.getMessage() : super.getMessage() + " (" + hint + ")";
  }

  static String hint(String method, int code) {
    return switch (code) {
      case -32601 -> "OpenSIPS has no MI command " + method + ": load its module" + module(method);
      case -32602 ->
          "OpenSIPS refused the parameters of " + method + ": the adapter targets OpenSIPS 3.x";
      case -32700, -32600 ->
          "OpenSIPS could not read the request; is this mi_http of OpenSIPS 3.x?";
      case 400 ->
          method.equals("event_subscribe")
              ? "unknown event or socket: load dialog and event_stream (see docs/opensips.md)"
              : "OpenSIPS refused a parameter value";
      default -> "";
    };
  }

  private static String module(String method) {
    if (method.startsWith("dlg_") || method.startsWith("profile_")) {
      return " (dialog)";
    }
    if (method.startsWith("ul_")) {
      return " (usrloc)";
    }
    if (method.startsWith("t_")) {
      return " (tm)";
    }
    return "";
  }
}
