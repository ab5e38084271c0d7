package org.sipadapter.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.sipadapter.ProtocolException;

/**
 * Coverage-guided check of how {@link JsonRpcClient} reads a reply: whatever the status and body,
 * the call completes with the {@code result} node or fails with {@link ProtocolException} (a {@link
 * JsonRpcException} for an error object), never with anything else.
 *
 * <p>Without {@code JAZZER_FUZZ} only the saved inputs run (see docs/testing.md, "Fuzzing").
 */
class JsonRpcReplyFuzzTest {

  private static final int[] STATUSES = {200, 200, 200, 204, 400, 401, 404, 500, 503};

  @FuzzTest
  void replyFromAnyBytes(FuzzedDataProvider data) {
    int status = data.consumeBoolean() ? data.pickValue(STATUSES) : data.consumeInt(100, 599);
    byte[] body = data.consumeRemainingAsBytes();
    JsonRpcClient client =
        new JsonRpcClient(
            "fuzz",
            (request, timeout) ->
                CompletableFuture.completedFuture(new JsonRpcClient.HttpReply(status, body)),
            Duration.ofSeconds(1),
            nanos -> {});

    JsonNode result;
    try {
      result = client.call("dlg.list").join();
    } catch (CompletionException e) {
      assertThat(e.getCause())
          .as("the failure of a reply with HTTP %d", status)
          .isInstanceOf(ProtocolException.class);
      assertThat(e.getCause().getMessage()).startsWith("JSON-RPC dlg.list");
      return;
    }
    assertThat(result).as("a successful call has a result node").isNotNull();
  }
}
