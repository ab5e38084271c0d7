package org.sipadapter.http;

import java.util.Optional;

/**
 * Turns a {@link NonJsonReply} into the exception the call fails with, for servers whose HTTP
 * errors deserve a hint (a wrong path, a wrong port). Runs on an OkHttp dispatcher thread; must be
 * quick and must not block.
 */
@FunctionalInterface
public interface NonJsonReplyHandler {
  /**
   * Maps a reply.
   *
   * @param reply the status and content type of the reply
   * @return the exception to fail the call with, or empty to hand the reply to the JSON-RPC client
   *     unchanged (which then reports an HTTP status with a body that is not JSON)
   */
  Optional<RuntimeException> toException(NonJsonReply reply);
}
