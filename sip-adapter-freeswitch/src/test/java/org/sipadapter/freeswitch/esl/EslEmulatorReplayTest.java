package org.sipadapter.freeswitch.esl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sipadapter.testkit.esl.EslEmulator;
import org.sipadapter.testkit.fixtures.Fixture;
import org.sipadapter.testkit.fixtures.Fixtures;
import org.sipadapter.testkit.fixtures.WireTranscript;

/**
 * Replays the client side of every recorded transcript against {@link EslEmulator} and checks that
 * the emulator answers with frames of the same shape: the same content types in the same order, the
 * same frame headers, the same event names, the same event header names in the same order (channel
 * variables and party names aside; in XML events too) and, for api responses, the same text once
 * ids and numbers are masked.
 */
class EslEmulatorReplayTest {
  private static final Pattern UUID_PATTERN =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private static final String SIP_SELF_LOOP =
      "SIP self-loop calls (sofia/internal and sofia/external legs, CHANNEL_OUTGOING, SIP"
          + " headers on every event) are not emulated";

  /**
   * Transcripts whose scenario the emulator does not play, with the reason. None of them is
   * something the adapter does: it originates and controls calls over an inbound socket with named
   * event subscriptions.
   */
  private static final Map<String, String> NOT_EMULATED =
      Map.ofEntries(
          Map.entry(
              "13",
              "SIP call set-up (sofia/internal to sofia/external: CHANNEL_OUTGOING, SIP variables and"
                  + " call states a loopback call lacks); the emulator originates with the recorded"
                  + " loopback set-up. This transcript's uuid_hold / uuid_hold off events are the"
                  + " emulator's hold scenes, covered by the adapter's hold tests"),
          Map.entry(
              "14",
              "event json ALL: the emulator produces only the events the adapter subscribes to by name"
                  + " (no CODEC, CALL_UPDATE, CHANNEL_ORIGINATE/OUTGOING, API, PRESENCE_IN ...)"),
          Map.entry(
              "15",
              "sendmsg (call-command execute/hangup on a session) is not emulated; the adapter"
                  + " controls calls with uuid_* api commands only"),
          Map.entry(
              "19",
              "outbound socket mode (FreeSWITCH connects to the application) is not emulated; the"
                  + " adapter uses inbound mode only"),
          // The second recording (21-33) came after the emulator; what each one needs from it.
          Map.entry(
              "21",
              "20 back-to-back bgapi originates: the emulator's job replies and BACKGROUND_JOB"
                  + " events interleave otherwise than the recorded ones"),
          Map.entry("22", "early media (CHANNEL_PROGRESS_MEDIA, CALLSTATE EARLY) is not emulated"),
          Map.entry(
              "23",
              "ring timeout (CHANNEL_PROGRESS, originate_timeout, -ERR NO_ANSWER) is not"
                  + " emulated"),
          Map.entry(
              "24",
              "event plain ALL around uuid_transfer (CODEC, API, CHANNEL_UNPARK ...) is not"
                  + " emulated"),
          Map.entry("25", SIP_SELF_LOOP),
          Map.entry(
              "26",
              "three commands in one TCP write: the recording answers show channels and"
                  + " uuid_exists before the call's first event, the emulator after"),
          Map.entry("27", SIP_SELF_LOOP + "; attended transfer with uuid_bridge"),
          Map.entry("28", SIP_SELF_LOOP + "; att_xfer inline"),
          Map.entry("29", SIP_SELF_LOOP + "; att_xfer inline with the XML dialplan"),
          Map.entry("30", SIP_SELF_LOOP + "; hangup billing variables"),
          Map.entry("31", SIP_SELF_LOOP + "; hangup billing variables, event json"),
          Map.entry(
              "32",
              "userauth (a restricted ESL user: Allowed-Events, Allowed-API, Allowed-LOG) is not"
                  + " emulated"),
          Map.entry(
              "33",
              "mod_conference (conference json_list, CUSTOM conference::maintenance) is not"
                  + " emulated"));

  static List<Fixture> fixtures() {
    return Fixtures.transcripts("esl");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void emulatorAnswersLikeTheRecordedServer(Fixture file) throws Exception {
    String number = file.name().substring(0, 2);
    assumeTrue(!NOT_EMULATED.containsKey(number), () -> NOT_EMULATED.get(number));
    List<WireTranscript.Turn> turns = WireTranscript.readTurns(file);
    Map<String, String> ids = new LinkedHashMap<>();
    try (EslEmulator emulator = new EslEmulator().start();
        Socket socket = new Socket(emulator.host(), emulator.port())) {
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      FrameReader reader = new FrameReader(in);
      for (WireTranscript.Turn turn : turns) {
        if (!turn.fromServer()) {
          String command = new String(turn.bytes(), StandardCharsets.UTF_8);
          for (Map.Entry<String, String> id : ids.entrySet()) {
            command = command.replace(id.getKey(), id.getValue());
          }
          out.write(command.getBytes(StandardCharsets.UTF_8));
          out.flush();
          continue;
        }
        RecordingSink expected = new RecordingSink();
        new EslFrameDecoder().decode(ByteBuffer.wrap(turn.bytes()), expected);
        for (EslFrame want : expected.frames) {
          if (isHeartbeat(want)) {
            emulator.heartbeat(); // the recorded server sent one here on its own
          }
          EslFrame got = reader.next();
          assertThat(got).as("a frame like %s", describe(want)).isNotNull();
          assertSameShape(want, got);
          learnIds(want, got, ids);
        }
      }
    }
  }

  private static void assertSameShape(EslFrame want, EslFrame got) {
    String what = describe(want) + " vs " + describe(got);
    assertThat(got.contentType()).as(what).isEqualTo(want.contentType());
    assertThat(got.headers().keySet()).as(what).containsExactlyElementsOf(want.headers().keySet());
    switch (want.contentType()) {
      case EVENT_PLAIN, EVENT_JSON -> {
        EslEvent w = want.event();
        EslEvent g = got.event();
        assertThat(g.name()).as(what).isEqualTo(w.name());
        assertThat(channelHeaderNames(g)).as(what).isEqualTo(channelHeaderNames(w));
        assertThat(g.body().isPresent()).as(what).isEqualTo(w.body().isPresent());
        w.body().ifPresent(b -> assertThat(mask(g.body().get())).as(what).isEqualTo(mask(b)));
      }
      case API_RESPONSE -> {
        String w = want.bodyText();
        if (w.startsWith("{") || w.startsWith("[")) {
          assertThat(got.bodyText().substring(0, 1)).as(what).isEqualTo(w.substring(0, 1));
        } else if (w.startsWith("UP ") || w.contains(",direction,")) {
          assertThat(firstLine(got.bodyText())).as(what).startsWith(firstLine(w).substring(0, 3));
        } else {
          assertThat(mask(got.bodyText())).as(what).isEqualTo(mask(w));
        }
      }
      case COMMAND_REPLY ->
          assertThat(mask(got.replyText())).as(what).isEqualTo(mask(want.replyText()));
      case EVENT_XML ->
          assertThat(xmlHeaderNames(got.bodyText()))
              .as(what)
              .isEqualTo(xmlHeaderNames(want.bodyText()));
      default -> assertThat(got.bodyText()).as(what).isEqualTo(want.bodyText());
    }
  }

  /** The element names under {@code <headers>} in order (as above), then whether a body follows. */
  private static List<String> xmlHeaderNames(String xml) {
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^    <([A-Za-z0-9_-]+)>").matcher(xml);
    while (m.find()) {
      if (!m.group(1).startsWith("variable_") && !isPartyName(m.group(1))) {
        names.add(m.group(1));
      }
    }
    names.add(xml.contains("<body>") ? "<body>" : "<no body>");
    return names;
  }

  /**
   * Caller and callee name headers come and go with the names a call was given (the recorded calls
   * differ in that), so they are not part of the shape.
   */
  private static boolean isPartyName(String header) {
    return header.startsWith("Caller-") && header.endsWith("-ID-Name");
  }

  private static boolean isHeartbeat(EslFrame f) {
    return f.contentType().isEvent() && f.bodyText().contains("HEARTBEAT");
  }

  private static List<String> channelHeaderNames(EslEvent e) {
    List<String> names = new ArrayList<>();
    for (String name : e.headers().keySet()) {
      if (!name.startsWith("variable_") && !isPartyName(name)) {
        names.add(name);
      }
    }
    return names;
  }

  private static void learnIds(EslFrame want, EslFrame got, Map<String, String> ids) {
    String w = want.headers() + want.bodyText();
    String g = got.headers() + got.bodyText();
    if (want.hasEvent() && want.contentType() != EslContentType.NONE) {
      w = want.event().headers().toString() + want.event().body().orElse("");
      g = got.event().headers().toString() + got.event().body().orElse("");
    }
    Matcher mw = UUID_PATTERN.matcher(w);
    Matcher mg = UUID_PATTERN.matcher(g);
    while (mw.find() && mg.find()) {
      ids.putIfAbsent(mw.group(), mg.group());
    }
  }

  private static String mask(String s) {
    return UUID_PATTERN.matcher(s).replaceAll("<uuid>").replaceAll("\\d+", "<n>");
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static String describe(EslFrame f) {
    if (f.contentType() == EslContentType.EVENT_PLAIN
        || f.contentType() == EslContentType.EVENT_JSON) {
      return f.contentType() + " " + f.event().name();
    }
    return f.contentType() + " " + f.replyText() + firstLine(f.bodyText());
  }

  /** Reads frames from a socket with the decoder under test, one at a time. */
  private static final class FrameReader {
    private final InputStream in;
    private final EslFrameDecoder decoder = new EslFrameDecoder();
    private final RecordingSink sink = new RecordingSink();
    private final byte[] buffer = new byte[65536];
    private int taken;

    FrameReader(InputStream in) {
      this.in = in;
    }

    EslFrame next() throws IOException {
      while (sink.frames.size() <= taken) {
        int n = in.read(buffer);
        if (n < 0) {
          return null;
        }
        decoder.decode(ByteBuffer.wrap(buffer, 0, n), sink);
      }
      assertThat(sink.malformed).isEmpty();
      return sink.frames.get(taken++);
    }
  }
}
