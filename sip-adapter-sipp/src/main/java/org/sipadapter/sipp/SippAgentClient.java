package org.sipadapter.sipp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.AdapterTimeoutException;
import org.sipadapter.AuthenticationException;
import org.sipadapter.CallException;
import org.sipadapter.CallNotFoundException;
import org.sipadapter.SipAdapterException;
import org.sipadapter.http.OkHttpCalls;
import org.sipadapter.sipp.agent.RunSpec;

/**
 * HTTP client of the SIPp agent's API (OkHttp through {@link OkHttpCalls}, JSON through Jackson).
 *
 * <p>Errors map to the SDK's exceptions: 401 to {@link AuthenticationException}, 404 to {@link
 * CallNotFoundException}, other 4xx to {@link CallException} with the agent's message, 5xx and I/O
 * failures to {@link AdapterConnectionException}, timeouts to {@link AdapterTimeoutException}. The
 * token is sent as a bearer header and never appears in a message. Thread-safe.
 */
final class SippAgentClient {

  private static final MediaType JSON_TYPE = MediaType.get("application/json");
  static final ObjectMapper JSON = new ObjectMapper();

  /** The longest graceful stop the agent accepts ({@code graceMs} 0..60000). */
  static final Duration MAX_GRACE = Duration.ofSeconds(60);

  private final OkHttpClient http;
  private final OkHttpClient pollHttp;
  private final HttpUrl base;
  private final String token;

  SippAgentClient(
      OkHttpClient shared,
      String host,
      int port,
      String token,
      Duration connectTimeout,
      Duration requestTimeout,
      Duration eventWait) {
    this.http =
        shared
            .newBuilder()
            .connectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .readTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .writeTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
            // a request on a cut link must fail, not be replayed on a new connection
            .retryOnConnectionFailure(false)
            .build();
    this.pollHttp =
        http.newBuilder()
            .readTimeout(eventWait.plus(requestTimeout).toMillis(), TimeUnit.MILLISECONDS)
            .build();
    this.base = new HttpUrl.Builder().scheme("http").host(host).port(port).build();
    this.token = token == null || token.isEmpty() ? null : token;
  }

  JsonNode health() {
    return execute(http, get("health"));
  }

  /** A long poll of {@code GET /events}, not yet executed, so its owner can cancel it. */
  Call eventsCall(long after, Duration wait) {
    HttpUrl url =
        base.newBuilder()
            .addPathSegment("events")
            .addQueryParameter("after", Long.toString(after))
            .addQueryParameter("waitMs", Long.toString(wait.toMillis()))
            .build();
    return pollHttp.newCall(request(url).get().build());
  }

  /** Executes a call made by {@link #eventsCall}. */
  JsonNode execute(Call call) {
    try (Response response = call.execute()) {
      return read(call.request(), response);
    } catch (IOException e) {
      throw ioFailure(call.request(), e);
    }
  }

  CompletableFuture<JsonNode> startRun(RunSpec spec) {
    try {
      byte[] body = JSON.writeValueAsBytes(spec);
      return enqueue(http, request(url("calls")).post(RequestBody.create(body, JSON_TYPE)).build());
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(e.getMessage(), e));
    }
  }

  CompletableFuture<JsonNode> getRun(String runId) {
    return enqueue(http, request(url("calls", runId)).get().build());
  }

  JsonNode listRuns() {
    return execute(http, get("calls"));
  }

  CompletableFuture<JsonNode> stopRun(String runId, boolean force, Duration grace) {
    return stopRun(runId, force, grace, true);
  }

  /**
   * {@code DELETE /calls/{id}}: with {@code wait} the answer comes when the run has ended, else at
   * once (202) while the agent stops it in the background.
   */
  CompletableFuture<JsonNode> stopRun(
      String runId, boolean force, Duration requestedGrace, boolean wait) {
    Duration grace = atMostMaxGrace(requestedGrace);
    HttpUrl url =
        url("calls", runId)
            .newBuilder()
            .addQueryParameter("force", Boolean.toString(force))
            .addQueryParameter("graceMs", Long.toString(grace.toMillis()))
            .addQueryParameter("wait", Boolean.toString(wait))
            .build();
    // A stop waits for the process to end: allow the grace period plus the kill steps.
    OkHttpClient slow =
        http.newBuilder()
            .readTimeout(grace.plusSeconds(15).toMillis(), TimeUnit.MILLISECONDS)
            .build();
    return enqueue(slow, request(url).delete().build());
  }

  /** A grace period the agent accepts: a request timeout above 60 s stops within 60 s. */
  private static Duration atMostMaxGrace(Duration grace) {
    return grace.compareTo(MAX_GRACE) > 0 ? MAX_GRACE : grace;
  }

  /**
   * {@code DELETE /calls?marker=M&wait=false}: the agent hangs up the runs carrying the marker and
   * refuses (or stops at once) any it starts later, then answers at once.
   */
  CompletableFuture<JsonNode> stopMarked(String marker, Duration grace) {
    HttpUrl url =
        url("calls")
            .newBuilder()
            .addQueryParameter("marker", marker)
            .addQueryParameter("graceMs", Long.toString(atMostMaxGrace(grace).toMillis()))
            .addQueryParameter("wait", "false")
            .build();
    return enqueue(http, request(url).delete().build());
  }

  CompletableFuture<JsonNode> patchRun(String runId, Double rate, Integer limit) {
    try {
      Map<String, Object> body = new java.util.LinkedHashMap<>();
      if (rate != null) {
        body.put("rate", rate);
      }
      if (limit != null) {
        body.put("limit", limit);
      }
      return enqueue(
          http,
          request(url("calls", runId))
              .patch(RequestBody.create(JSON.writeValueAsBytes(body), JSON_TYPE))
              .build());
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(e.getMessage(), e));
    }
  }

  private Request get(String path) {
    return request(url(path)).get().build();
  }

  private HttpUrl url(String... segments) {
    HttpUrl.Builder b = base.newBuilder();
    for (String s : segments) {
      b.addPathSegment(s);
    }
    return b.build();
  }

  private Request.Builder request(HttpUrl url) {
    Request.Builder b = new Request.Builder().url(url).header("Accept", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private JsonNode execute(OkHttpClient client, Request request) {
    try (Response response = client.newCall(request).execute()) {
      return read(request, response);
    } catch (IOException e) {
      throw ioFailure(request, e);
    }
  }

  private CompletableFuture<JsonNode> enqueue(OkHttpClient client, Request request) {
    return OkHttpCalls.toFuture(
        client.newCall(request), r -> read(request, r), e -> ioFailure(request, e));
  }

  private static JsonNode read(Request request, Response response) throws IOException {
    ResponseBody body = response.body();
    byte[] bytes = body == null ? new byte[0] : body.bytes();
    JsonNode json = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
    int status = response.code();
    if (status >= 200 && status < 300) {
      return json;
    }
    String what = request.method() + " " + request.url().encodedPath();
    String message = json.path("error").asText("HTTP " + status);
    throw switch (status) {
      case 401 -> new AuthenticationException("SIPp agent refused the bearer token (" + what + ")");
      case 404 -> new CallNotFoundException(message);
      case 408 -> new AdapterTimeoutException("SIPp agent read " + what + " too late: " + message);
      case 400, 409, 413, 422, 429 ->
          new CallException("SIPp agent refused " + what + ": " + message);
      default -> new AdapterConnectionException("SIPp agent failed " + what + ": " + message);
    };
  }

  private static SipAdapterException ioFailure(Request request, IOException e) {
    String what = request.method() + " " + request.url().encodedPath();
    // OkHttpCalls reports a timeout as HttpTimeoutException; a blocking call, as OkHttp does.
    if (e instanceof HttpTimeoutException || e instanceof InterruptedIOException) {
      return new AdapterTimeoutException("SIPp agent did not answer " + what + " in time", e);
    }
    return new AdapterConnectionException(
        "SIPp agent unreachable (" + what + "): " + e.getMessage(), e);
  }
}
