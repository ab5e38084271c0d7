package org.sipadapter.http;

import java.net.URI;
import java.util.Objects;

/**
 * An HTTP reply that is not JSON-RPC: a status outside 2xx whose {@code Content-Type} is not JSON,
 * such as the HTML page OpenSIPS's httpd sends for an unknown path. Passed to a {@link
 * NonJsonReplyHandler} so an adapter can say what went wrong in its own terms.
 *
 * @param endpoint the endpoint that was posted to
 * @param status the HTTP status, such as 400
 * @param contentType the reply's {@code Content-Type} header, or empty when it had none
 */
public record NonJsonReply(URI endpoint, int status, String contentType) {
  /** Checks the components. */
  public NonJsonReply {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(contentType, "contentType");
  }
}
