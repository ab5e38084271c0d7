package org.sipadapter.testkit.opensips;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sipadapter.testkit.fixtures.Fixtures;

/**
 * Replays every recorded OpenSIPS 3.5.9 exchange (the {@code opensips-mi} fixtures' {@code
 * NN-*.json}, the parsed form of the {@code .txt} transcripts) against the emulator and checks the
 * answer has the recorded shape: same top-level keys in the same order, same result structure
 * (keys, order, value types), same error code and message. Ids, times and counters may differ.
 * Dialog state is driven from the recording itself: before each {@code dlg_list}, the emulator's
 * dialog is moved to the recorded state, and recorded dialog IDs and Call-IDs in later requests are
 * replaced by the emulator's. Errors must carry the recorded {@code data}. HTTP-level answers (GET,
 * unknown path) must have the recorded status, and complete ones the recorded Content-Type and
 * body. Not replayed: the notification (OpenSIPS answers 202 and never completes) and the POST
 * without Content-Type (OpenSIPS closes without answering).
 */
class OpenSipsEmulatorReplayTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  static JsonNode fixture(String name) throws Exception {
    return JSON.readTree(Fixtures.get("opensips-mi", name).bytes());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "01-version-uptime.json",
        "02-which.json",
        "03-get_statistics.json",
        "04-errors.json",
        "05-dlg_list-empty.json",
        "06-events_list-subscribers.json",
        "07-dialog-lifecycle-dlg_end_dlg.json",
        "08-dialog-bye-from-caller.json",
        "09-dlg_end_dlg-by-callid-extra-hdrs.json",
        "10-usrloc-register-ul_dump.json"
      })
  void emulatorAnswersEveryRecordedRequestWithTheRecordedShape(String file) throws Exception {
    JsonNode scenario = fixture(file);
    int compared = 0;
    try (OpenSipsEmulator emulator = new OpenSipsEmulator().start()) {
      emulator.pinClock();
      emulator.endedLinger(Duration.ofMinutes(1));
      Map<String, String> ids = new java.util.HashMap<>();
      for (JsonNode ex : scenario.get("exchanges")) {
        if (ex.has("note")) {
          if (ex.get("note").asText().startsWith("SIP REGISTER")) {
            emulator.registerContact("alice", "sip:alice@127.0.0.1:5082");
          }
          continue;
        }
        JsonNode recorded = ex.get("response");
        if (!ex.path("request_line").asText().equals("POST /mi HTTP/1.1")) {
          replayHttpLevel(emulator, ex, file);
          compared++;
          continue;
        }
        if (recorded == null || recorded.isNull()) {
          continue; // 202 and hang for a notification, silence without Content-Type: not emulated
        }
        syncDialogs(emulator, recorded, ids);
        String body = ex.get("request_body_raw").asText();
        for (Map.Entry<String, String> e : ids.entrySet()) {
          body = body.replace(e.getKey(), e.getValue());
        }
        JsonNode answer = post(emulator, body);
        String where = file + " " + body;
        List<String> diffs = new ArrayList<>();
        shape("", recorded, answer, diffs);
        if (!diffs.isEmpty()) {
          throw new AssertionError(
              where + ": " + diffs + "\nrecorded " + recorded + "\nemulator " + answer);
        }
        if (recorded.has("error") && answer.has("error")) {
          assertThat(answer.path("error").path("code"))
              .as(where)
              .isEqualTo(recorded.get("error").get("code"));
          assertThat(answer.path("error").path("message"))
              .as(where)
              .isEqualTo(recorded.get("error").get("message"));
          assertThat(answer.path("error").path("data"))
              .as(where)
              .isEqualTo(recorded.get("error").path("data"));
        }
        if (recorded.path("result").isTextual()) {
          assertThat(answer.get("result")).as(where).isEqualTo(recorded.get("result"));
        }
        compared++;
      }
    }
    assertThat(compared).isPositive();
  }

  /** Sends a recorded request that mi_http refuses at the HTTP level and compares the answer. */
  private static void replayHttpLevel(OpenSipsEmulator emulator, JsonNode ex, String file)
      throws Exception {
    String line = ex.get("request_line").asText(); // e.g. "GET /mi HTTP/1.1"
    String method = line.substring(0, line.indexOf(' '));
    String target = line.substring(method.length() + 1, line.lastIndexOf(' '));
    String body = ex.path("request_body_raw").asText("");
    URI uri = URI.create(emulator.url()).resolve(target);
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(uri)
                .method(
                    method,
                    body.isEmpty()
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String where = file + " " + line;
    String statusLine = ex.get("http_status_line").asText(); // e.g. "HTTP/1.1 405 Method Not..."
    int status = Integer.parseInt(statusLine.substring(9, 12));
    assertThat(r.statusCode()).as(where).isEqualTo(status);
    JsonNode headers = ex.path("response_headers");
    if (headers.has("Content-Length")) { // a complete answer, not the never-ending 405
      assertThat(r.headers().firstValue("Content-Type"))
          .as(where)
          .hasValue(headers.get("Content-Type").asText());
      assertThat(r.body()).as(where).isEqualTo(ex.get("response_body_raw").asText());
    }
  }

  /** Moves the emulator's one dialog to the state the recorded dlg_list shows. */
  private static void syncDialogs(
      OpenSipsEmulator emulator, JsonNode recorded, Map<String, String> ids) {
    JsonNode list = recorded.path("result").path("Dialogs");
    if (!list.isArray() || list.isEmpty()) {
      return;
    }
    JsonNode rec = list.get(0);
    int state = rec.get("state").asInt();
    List<String> live = emulator.liveDialogIds();
    String id = ids.get(rec.get("ID").asText());
    if (id == null) {
      id =
          live.isEmpty()
              ? emulator.startDialog(rec.get("from_uri").asText(), rec.get("to_uri").asText())
              : live.get(0);
      ids.put(rec.get("ID").asText(), id);
      ids.put(rec.get("callid").asText(), emulator.callIdOf(id));
    }
    int now = emulator.dialogState(id).orElse(5);
    if (state >= 3 && now < 3) {
      emulator.answer(id);
    }
    if (state == 5 && now < 5) {
      emulator.endDialog(id);
    }
  }

  private static JsonNode post(OpenSipsEmulator emulator, String body) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(emulator.url()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(body).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** Appends every difference of structure (keys, order, types) between two JSON values. */
  static void shape(String path, JsonNode want, JsonNode got, List<String> diffs) {
    if (got == null || got.isMissingNode()) {
      diffs.add(path + " missing");
      return;
    }
    if (want.isNumber() != got.isNumber()
        || want.isTextual() != got.isTextual()
        || want.isObject() != got.isObject()
        || want.isArray() != got.isArray()
        || want.isBoolean() != got.isBoolean()
        || (want.isNull() != got.isNull() && !path.endsWith(".value") && !path.equals("id"))) {
      diffs.add(path + " type " + want.getNodeType() + " vs " + got.getNodeType());
      return;
    }
    if (want.isObject()) {
      List<String> wk = new ArrayList<>();
      want.fieldNames().forEachRemaining(wk::add);
      List<String> gk = new ArrayList<>();
      got.fieldNames().forEachRemaining(gk::add);
      for (String k : wk) {
        if (!gk.contains(k)) {
          diffs.add((path.isEmpty() ? "" : path + ".") + k + " missing");
        }
      }
      List<String> common = gk.stream().filter(wk::contains).toList();
      if (!common.equals(wk.stream().filter(gk::contains).toList()) || gk.size() > wk.size()) {
        diffs.add(path + " keys " + wk + " vs " + gk);
        return;
      }
      for (String k : common) {
        shape(path.isEmpty() ? k : path + "." + k, want.get(k), got.get(k), diffs);
      }
    } else if (want.isArray() && !want.isEmpty() && !got.isEmpty()) {
      for (int i = 0; i < got.size(); i++) {
        shape(path + "[" + i + "]", want.get(Math.min(i, want.size() - 1)), got.get(i), diffs);
      }
    } else if (want.isArray() && want.isEmpty() != got.isEmpty()) {
      diffs.add(path + " empty " + want.isEmpty() + " vs " + got.isEmpty());
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"07-events-stream.json", "08-events-stream.json", "09-events-stream.json"})
  void dialogLifecycleWritesTheRecordedEventStreamBytes(String file) throws Exception {
    JsonNode recorded = fixture(file);
    try (OpenSipsEmulator emulator = new OpenSipsEmulator().start();
        ServerSocket listener = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
      post(
          emulator,
          "{\"jsonrpc\":\"2.0\",\"method\":\"event_subscribe\",\"params\":{\"event\":\"E_DLG_STATE_CHANGED\",\"socket\":\"tcp:127.0.0.1:"
              + listener.getLocalPort()
              + "\",\"expire\":3600},\"id\":37}");
      String id = emulator.startDialog("sip:sipp@127.0.0.1:5081", "sip:uas@127.0.0.1:5070");
      emulator.answer(id);
      emulator.endDialog(id);
      emulator.dropEventConnections();

      byte[] raw;
      try (Socket s = listener.accept();
          InputStream in = s.getInputStream()) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        raw = out.toByteArray();
      }
      String text = new String(raw, StandardCharsets.UTF_8);
      String want = recorded.get("raw_stream").asText();
      // back to back, no delimiter, compact: the same framing as recorded
      assertThat(text).doesNotContain("\n").doesNotContain(" ");
      assertThat(text.split("\\}\\{", -1)).hasSameSizeAs(want.split("\\}\\{", -1));
      Iterator<JsonNode> got = readAll(raw);
      for (JsonNode n : recorded.get("notifications")) {
        JsonNode g = got.next();
        List<String> diffs = new ArrayList<>();
        shape("", n, g, diffs);
        assertThat(diffs).isEmpty();
        assertThat(g.get("params").get("old_state")).isEqualTo(n.get("params").get("old_state"));
        assertThat(g.get("params").get("new_state")).isEqualTo(n.get("params").get("new_state"));
        assertThat(g.has("id")).isFalse();
      }
      assertThat(got.hasNext()).isFalse();
    }
  }

  private static Iterator<JsonNode> readAll(byte[] raw) throws Exception {
    MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(raw);
    return it.readAll().iterator();
  }

  @Test
  void expiredSubscriptionsGetNoEventsAndListAsExpired() throws Exception {
    try (OpenSipsEmulator emulator = new OpenSipsEmulator().start()) {
      emulator.pinClock();
      post(
          emulator,
          "{\"jsonrpc\":\"2.0\",\"method\":\"event_subscribe\",\"params\":{\"event\":\"E_DLG_STATE_CHANGED\",\"socket\":\"tcp:127.0.0.1:9\",\"expire\":0},\"id\":1}");
      JsonNode list =
          post(emulator, "{\"jsonrpc\":\"2.0\",\"method\":\"subscribers_list\",\"id\":2}");
      assertThat(list.at("/result/Events/0/Subscribers/0/ttl").asText()).isEqualTo("expired");
      // evi removes a subscriber once subscription_time + expire < time(0): the next second
      emulator.advanceClock(Duration.ofSeconds(1));
      assertThat(emulator.subscribers(OpenSipsEmulator.DIALOG_EVENT)).isEmpty();
    }
  }
}
