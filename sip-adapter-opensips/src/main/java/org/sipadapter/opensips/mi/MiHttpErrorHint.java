package org.sipadapter.opensips.mi;

import java.util.Optional;
import org.sipadapter.ProtocolException;
import org.sipadapter.http.NonJsonReply;
import org.sipadapter.http.NonJsonReplyHandler;

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
    return Optional.of(
        new ProtocolException(
            "OpenSIPS MI at "
                + reply.endpoint()
                + " answered HTTP "
                + reply.status()
                + ": "
                + hint(reply.status())));
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
