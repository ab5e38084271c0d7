package org.sipadapter.testkit.opensips;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays recordings 11-19 (UA sessions, acc events, failed calls, expired subscribers) against the
 * emulator: the MI exchanges with the recorded shape, error code, message and text results, and
 * what each event_stream subscriber socket received, notification by notification (method, params
 * shape with nulls, states, event types, status codes, SIP codes). The SIP side is driven from the
 * recording's notes: who called whom, who answered, who hung up, how much time passed. Keys, dialog
 * ids and subscriber sockets of the recording are mapped to the emulator's.
 */
class OpenSipsEmulatorScenarioReplayTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern RECORDED_SOCKET =
      Pattern.compile("tcp:127\\.0\\.0\\.1:(91[0-9]{2})");
  private static final Pattern KEY = Pattern.compile("B2B\\.[0-9.]+[0-9]");
  private static final Pattern CALL =
      Pattern.compile("\\(?(127\\.0\\.0\\.1:\\d+)\\)? (?:sent INVITE |-> )(sip:[^ ]+)");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "11-ua_session-client-start-hold-refer",
        "12-ua_session-client-start-486-404",
        "13-ua_session_server_init-ua_session_reply",
        "14-acc-dlg-events-answered-486",
        "15-acc-dlg-events-own-404",
        "16-subscribers_list-expired-subscriber-first",
        "17-subscribers_list-expired-subscriber-last",
        "18-subscribers_list-expired-subscriber-call-first",
        "19-ua_session-advertised_contact-terminate-extra_headers"
      })
  void emulatorReproducesTheRecording(String name) throws Exception {
    JsonNode scenario = OpenSipsEmulatorReplayTest.fixture(name + ".json");
    String number = name.substring(0, 2);
    Map<String, Subscriber> subscribers = new LinkedHashMap<>();
    try (OpenSipsEmulator emulator = new OpenSipsEmulator().acc(true)) {
      if (number.equals("19")) {
        emulator.advertisedContact("sip:b2b@127.0.0.1:5090");
      }
      emulator.start();
      // Each SIPp call of these recordings takes about 3 s (the CDR's duration); OpenSIPS had
      // deleted a dialog ended 6 s before a dlg_list and still listed one ended 3 s before.
      emulator.pinClock();
      emulator.endedLinger(Duration.ofSeconds(5));
      Map<String, String> ids = new LinkedHashMap<>();
      Driver sip = new Driver(emulator, ids);
      int compared = 0;
      for (JsonNode ex : scenario.get("exchanges")) {
        if (ex.has("note")) {
          sip.note(ex.get("note").asText());
          continue;
        }
        await().atMost(Duration.ofSeconds(60)).until(emulator.uaSessions()::idle);
        String body = ex.get("request_body_raw").asText();
        Matcher m = RECORDED_SOCKET.matcher(body);
        if (m.find()) {
          String port = m.group(1);
          Subscriber s = subscribers.computeIfAbsent(port, p -> Subscriber.open());
          ids.put("tcp:127.0.0.1:" + port, "tcp:127.0.0.1:" + s.port());
        }
        for (Map.Entry<String, String> e : ids.entrySet()) {
          body = body.replace(e.getKey(), e.getValue());
        }
        JsonNode recorded = ex.get("response");
        JsonNode answer = post(emulator, body);
        String where = name + " " + body;
        List<String> diffs = new ArrayList<>();
        OpenSipsEmulatorReplayTest.shape("", recorded, answer, diffs);
        assertThat(diffs).as(where + "\nrecorded " + recorded + "\nemulator " + answer).isEmpty();
        if (recorded.has("error")) {
          assertThat(answer.get("error")).as(where).isEqualTo(recorded.get("error"));
        }
        JsonNode result = recorded.path("result");
        if (result.isTextual() && KEY.matcher(result.asText()).matches()) {
          ids.put(result.asText(), answer.get("result").asText());
        } else if (result.isTextual()) {
          assertThat(answer.get("result")).as(where).isEqualTo(result);
        } else if (result.isObject() && result.has("state")) {
          assertThat(answer.at("/result/state")).as(where).isEqualTo(result.get("state"));
        }
        compared++;
      }
      await().atMost(Duration.ofSeconds(60)).until(emulator.uaSessions()::idle);
      emulator.dropEventConnections();
      assertThat(compared).isPositive();
    }
    for (Map.Entry<String, Subscriber> e : subscribers.entrySet()) {
      String file =
          number.compareTo("16") >= 0 && number.compareTo("18") <= 0
              ? number + "-events-stream-" + e.getKey() + ".json"
              : number + "-events-stream.json";
      assertSameNotifications(file, e.getValue().received());
    }
  }

  /** Same notifications in the same order, each with the recorded shape and values that matter. */
  private static void assertSameNotifications(String file, List<JsonNode> got) throws Exception {
    JsonNode recorded = OpenSipsEmulatorReplayTest.fixture(file).get("notifications");
    List<String> want = new ArrayList<>();
    recorded.forEach(n -> want.add(summary(n)));
    assertThat(got.stream().map(OpenSipsEmulatorScenarioReplayTest::summary).toList())
        .as(file)
        .isEqualTo(want);
    for (int i = 0; i < recorded.size(); i++) {
      List<String> diffs = new ArrayList<>();
      OpenSipsEmulatorReplayTest.shape("", recorded.get(i), got.get(i), diffs);
      assertThat(diffs).as(file + " #" + i + " " + got.get(i)).isEmpty();
      assertThat(got.get(i).has("id")).isFalse();
    }
  }

  /** What must be equal: the event and the fields that say what happened. */
  private static String summary(JsonNode n) {
    JsonNode p = n.path("params");
    StringBuilder b = new StringBuilder(n.path("method").asText());
    for (String k :
        List.of("old_state", "new_state", "event_type", "entity_type", "status", "method")) {
      if (p.has(k)) {
        b.append(' ').append(k).append('=').append(p.get(k).asText());
      }
    }
    if (p.has("sip_code")) {
      b.append(" sip_code=").append(p.get("sip_code").asText());
    }
    b.append(p.path("to_tag").isNull() ? " to_tag=null" : "");
    b.append(p.path("body").isNull() ? " body=null" : "");
    b.append(p.path("headers").isNull() ? " headers=null" : "");
    return b.toString();
  }

  /** Plays the SIP side that the recording's notes describe. */
  private static final class Driver {
    private final OpenSipsEmulator emulator;
    private final Map<String, String> ids;
    private String lastDialog;
    private String lastIncoming;

    Driver(OpenSipsEmulator emulator, Map<String, String> ids) {
      this.emulator = emulator;
      this.ids = ids;
    }

    void note(String note) {
      if (note.startsWith("SIP UDP") || note.startsWith("SIPp UAS")) {
        return; // the emulator plays these itself
      }
      Matcher later = Pattern.compile("^(\\d+) s later").matcher(note);
      if (later.find()) {
        emulator.advanceClock(Duration.ofSeconds(Long.parseLong(later.group(1))));
        return;
      }
      Matcher key = Pattern.compile("E_UA_SESSION NEW received, key (\\S+)").matcher(note);
      if (key.find()) {
        ids.put(key.group(1), lastIncoming);
        return;
      }
      if (note.startsWith("caller hung up")) {
        emulator.uaSessions().farEndHangup(lastIncoming);
        return;
      }
      if (note.toLowerCase(java.util.Locale.ROOT).startsWith("sipp uac exited")) {
        endCall();
        emulator.advanceClock(Duration.ofSeconds(3));
        return;
      }
      Matcher call = CALL.matcher(note);
      if (call.find()) {
        startCall(note, call);
      }
    }

    private void endCall() {
      if (lastDialog != null) {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> emulator.dialogState(lastDialog).isPresent());
        if (emulator.dialogState(lastDialog).orElse(5) < 5) {
          emulator.endDialog(lastDialog);
        }
        lastDialog = null;
      }
    }

    private void startCall(String note, Matcher call) {
      String from = "sip:sipp@" + call.group(1);
      String to = call.group(2);
      String user = B2bEntities.user(to);
      if (user.startsWith("ua-")) {
        lastIncoming = emulator.uaSessions().incoming(from, to, "arhb");
      } else if (note.contains("stateless 404")) {
        emulator.ownNotFound(from, to, false);
      } else if (note.contains("stateful 404")) {
        emulator.ownNotFound(from, to, true);
      } else if (user.endsWith("busy")) {
        emulator.rejectDialog(from, to, 486, "Busy Here");
      } else {
        lastDialog = emulator.startDialog(from, to);
        emulator.answer(lastDialog);
      }
    }
  }

  /** One event_stream subscriber socket: accepts OpenSIPS's connections and keeps the bytes. */
  private record Subscriber(ServerSocket socket, List<byte[]> chunks, List<Thread> readers) {
    static Subscriber open() {
      try {
        ServerSocket s = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        Subscriber sub =
            new Subscriber(s, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
        Thread acceptor =
            new Thread(
                () -> {
                  while (!s.isClosed()) {
                    try {
                      Socket c = s.accept();
                      Thread r = new Thread(() -> sub.read(c), "subscriber-reader");
                      sub.readers.add(r);
                      r.start();
                    } catch (IOException e) {
                      return;
                    }
                  }
                },
                "subscriber-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        return sub;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    int port() {
      return socket.getLocalPort();
    }

    private void read(Socket c) {
      try (c;
          InputStream in = c.getInputStream()) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        chunks.add(out.toByteArray());
      } catch (IOException e) {
        // connection dropped: what was read so far is kept
      }
    }

    /** Every notification received, in order, once the emulator has closed its connections. */
    List<JsonNode> received() throws Exception {
      for (Thread r : readers) {
        r.join(10_000);
      }
      socket.close();
      List<JsonNode> out = new ArrayList<>();
      for (byte[] chunk : chunks) {
        JSON.readerFor(JsonNode.class)
            .readValues(chunk)
            .forEachRemaining(n -> out.add((JsonNode) n));
      }
      return out;
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
}
