package org.sipadapter.transport;

import org.sipadapter.ProtocolException;

/**
 * The server answered a JSON-RPC request with an error object, such as Kamailio's {@code
 * {"code":500,"message":"Method Not Found"}} or {@code 404 "Dialog not found"}.
 */
public class JsonRpcException extends ProtocolException {
  private static final long serialVersionUID = 1L;

  private final String method;
  private final int code;
  private final String rpcMessage;

  /**
   * Creates the exception.
   *
   * @param method the method that was called
   * @param code the error code from the server
   * @param rpcMessage the error message from the server
   */
  public JsonRpcException(String method, int code, String rpcMessage) {
    super("JSON-RPC " + method + " failed: " + code + " " + rpcMessage);
    this.method = method;
    this.code = code;
    this.rpcMessage = rpcMessage;
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
}
