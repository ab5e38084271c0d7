package org.sipadapter.transport;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.sipadapter.ProtocolException;

/**
 * The server answered a JSON-RPC request with an error object, such as Kamailio's {@code
 * {"code":500,"message":"Method Not Found"}} or {@code 404 "Dialog not found"}, keeping the error's
 * optional {@code data} member ({@link #data()}), such as OpenSIPS's {@code "Too few or too many
 * parameters"}.
 */
public class JsonRpcException extends ProtocolException {
  private static final long serialVersionUID = 1L;

  private final String method;
  private final int code;
  private final String rpcMessage;
  // Nullable: most servers send no data member. Transient because JsonNode trees are not
  // guaranteed serialisable across Jackson versions.
  private final transient JsonNode data;

  /**
   * Creates the exception for an error without a {@code data} member.
   *
   * @param method the method that was called
   * @param code the error code from the server
   * @param rpcMessage the error message from the server
   */
  public JsonRpcException(String method, int code, String rpcMessage) {
    this(method, code, rpcMessage, null);
  }

  /**
   * Creates the exception. A textual {@code data} is added to the exception message.
   *
   * @param method the method that was called
   * @param code the error code from the server
   * @param rpcMessage the error message from the server
   * @param data the error's {@code data} member, or null when the server sent none
   */
  public JsonRpcException(String method, int code, String rpcMessage, JsonNode data) {
    super(
        "JSON-RPC "
            + method
            + " failed: "
            + code
            + " "
            + rpcMessage
            + (data != null && data.isTextual() ? " (" + data.asText() + ")" : ""));
    this.method = method;
    this.code = code;
    this.rpcMessage = rpcMessage;
    this.data = data;
  }

  /**
   * Returns the method that was called.
   *
   * @return the method name
   */
  public String method() {
    return method;
  }

  /**
   * Returns the server's error code.
   *
   * @return the code, such as 404 or -32601
   */
  public int code() {
    return code;
  }

  /**
   * Returns the server's error message.
   *
   * @return the message, such as {@code Dialog not found}
   */
  public String rpcMessage() {
    return rpcMessage;
  }

  /**
   * Returns the error's {@code data} member: detail the server added to the code and message, such
   * as OpenSIPS's {@code "Named parameters do not match"} for {@code -32602}. Any JSON value.
   *
   * @return the data, or empty when the server sent none (or {@code null})
   */
  public Optional<JsonNode> data() {
    return Optional.ofNullable(data);
  }
}
