package org.sipadapter.opensips.mi;

import java.util.Optional;
import org.sipadapter.AuthenticationException;
import org.sipadapter.ProtocolException;
import org.sipadapter.http.NonJsonReply;
import org.sipadapter.http.NonJsonReplyHandler;
import org.sipadapter.transport.JsonRpcClient;

/**
 * Says what an HTTP-level error from OpenSIPS's httpd means. mi_http answers JSON-RPC errors with
 * HTTP 200; a reply outside 2xx without JSON comes from httpd itself, e.g. {@code 400} with an HTML
 * page for a path that is not mi_http's {@code root}, or {@code 405} for anything but POST. Such
 * replies become a {@link ProtocolException} naming the endpoint and what to check.
 *
 * <p>Stateless and thread-safe; use {@link #INSTANCE}.
 */
public final class MiHttpErrorHint implements NonJsonReplyHandler {

  /** The handler. */
  public static final MiHttpErrorHint INSTANCE = new MiHttpErrorHint();

  private MiHttpErrorHint() {}

  @Override
  public Optional<RuntimeException> toException(NonJsonReply reply) {
    if (reply.status() == 401 || reply.status() == 403) {
      return Optional.of(unauthorized(reply.endpoint(), reply.status()));
    }
    return Optional.of(
        new ProtocolException(
            "OpenSIPS MI at "
                + reply.endpoint()
                + " answered HTTP "
                + reply.status()
                + ": "
                + hint(reply.status())));
  }

  /**
   * Refuses a JSON reply with HTTP 401 or 403 (from a reverse proxy in front of mi_http).
   *
   * @param reply the reply
   * @return the reply, when it is neither
   * @throws AuthenticationException for 401 and 403
   */
  public static JsonRpcClient.HttpReply refuseUnauthorized(JsonRpcClient.HttpReply reply) {
    if (reply.status() == 401 || reply.status() == 403) {
      throw unauthorized("the MI endpoint", reply.status());
    }
    return reply;
  }

  private static AuthenticationException unauthorized(Object endpoint, int status) {
    return new AuthenticationException(
        "OpenSIPS MI at "
            + endpoint
            + " refused the request (HTTP "
            + status
            + "): mi_http has no authentication, so a proxy in front of it did; check"
            + " auth.username, auth.password and options.authHeader/authScheme");
  }

  static String hint(int status) {
    return switch (status) {
      case 400 -> "check options.miPath: it must be / plus mi_http's root parameter (default /mi)";
      case 404 -> "nothing serves this path: is mi_http loaded, and is options.miPath right?";
      case 405 -> "mi_http accepts POST only";
      default -> "is this the httpd port of OpenSIPS?";
    };
  }
}
