package org.sipadapter.testkit.yate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sipadapter.testkit.fixtures.Fixture;
import org.sipadapter.testkit.fixtures.Fixtures;

/**
 * Replays the client side of every recorded extmodule session in the {@code yate-extmodule}
 * fixtures against the emulator (set up like the recording's Yate: the same routes, and a listener
 * without preset role for the files recorded on port 5040) and checks that every line it answers
 * has the recorded shape: the same kind of line, message name, processed flag, and parameter names
 * in the same order. Ids, times, channel numbers and values are not compared; ids and channels the
 * emulator chose are substituted into the client's later lines, as the recording client did with
 * Yate's. Events from outside (an INVITE, a BYE) are triggered where the recording shows them. The
 * {@code handlers} parameter, which lists Yate's loaded modules, is left out of the comparison.
 */
class YateEmulatorReplayTest {

  private static final Set<String> CONNECT_LISTENER =
      Set.of(
          "02-connect-global-required.txt",
          "03-connect-missing-role-closed.txt",
          "03b-connect-unknown-role-closed.txt");
  private static final Set<String> ID_KEYS =
      Set.of("id", "peerid", "targetid", "lastpeerid", "chan");

  /** Values compared as they are: they name what happened, not which channel. */
  private static final Set<String> VALUE_KEYS = Set.of("operation", "event", "detected");

  static List<Fixture> fixtures() {
    return Fixtures.transcripts("yate-extmodule");
  }

  private static YateEmulator emulatorLikeTheRecording(boolean connectListener) {
    return new YateEmulator()
        .requireConnect(connectListener)
        .routeTo("99991001", "tone/dial")
        .routeTo("99991002", "tone/busy")
        .routeTo("99991003", "tone/ring")
        .routeTo("99991007", "tone/milliwatt")
        .routeTo("99991009", "dumb/")
        .route("99991404", YateEmulator.Outcome.NO_ROUTE)
        .route("99991486", YateEmulator.Outcome.BUSY)
        .routePrefix("sip9", YateEmulator.Outcome.ANSWER)
        .timing(Duration.ofMillis(5), Duration.ofMillis(10))
        .start();
  }

  /**
   * The set-up of files 14 on: a listener without preset role, and test numbers routed to SIP
   * addresses of the engine itself, whose incoming legs regexroute sends to tones, {@code dumb/} or
   * an error. The {@code loop200} tone times out after 200 ms instead of the recording's 2 s.
   */
  private static YateEmulator emulatorWithSipSelfLoop() {
    String self = "sip/sip:loop%s@127.0.0.1:5070";
    return new YateEmulator()
        .requireConnect(true)
        .sipAddress("127.0.0.1:5070")
        .routeTo("100", self.formatted("100"))
        .routeTo("200", self.formatted("200"))
        .routeTo("408", self.formatted("408"))
        .routeTo("1486", self.formatted("486"))
        .routeTo("loop100", "tone/ring")
        .routeTo("loop200", "tone/ring;timeout=200")
        .routeTo("loop408", "dumb/")
        .routeTo("loop486", "-;error=busy")
        .start();
  }

  private static boolean recordedWithSipSelfLoop(String file) {
    return Integer.parseInt(file.substring(0, 2)) >= 14;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void emulatorAnswersTheRecordedLinesWithLinesOfTheSameShape(Fixture file) throws Exception {
    YateTranscript t = YateTranscript.read(file);
    if (recordedWithSipSelfLoop(t.name())) {
      replayInBursts(t);
      return;
    }
    Map<String, String> subst = new HashMap<>();
    String lastClientLine = "";
    try (YateEmulator yate = emulatorLikeTheRecording(CONNECT_LISTENER.contains(t.name()));
        Socket socket = new Socket(yate.host(), yate.port())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      for (YateTranscript.Record r : t.records()) {
        if (!r.fromServer()) {
          lastClientLine = substitute(r.line(), subst);
          out.write((lastClientLine + "\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
          continue;
        }
        String expected = r.line();
        triggerOutsideEvent(yate, expected, lastClientLine, subst);
        String actual = readLine(in);
        assertThat(actual)
            .as("%s: no line where the recording has %s", t.name(), expected)
            .isNotNull();
        assertSameShape(t.name(), expected, actual, subst);
      }
      if (t.name().startsWith("03")) {
        assertThat(readLine(in)).as("socket closed by the emulator").isNull();
      }
    }
  }

  /**
   * Replays a file recorded against the SIP self-loop. Yate's worker threads dispatch messages
   * about different channels in parallel, so between two client lines the recording's order of such
   * lines is one of several (compare the two calls of file 16); each line the emulator sends there
   * must match one recorded line of that stretch with the same shape and the same channels.
   */
  private void replayInBursts(YateTranscript t) throws Exception {
    Map<String, String> subst = new HashMap<>();
    List<YateTranscript.Record> records = t.records();
    try (YateEmulator yate = emulatorWithSipSelfLoop();
        Socket socket = new Socket(yate.host(), yate.port())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      int i = 0;
      while (i < records.size()) {
        if (!records.get(i).fromServer()) {
          String line = substitute(records.get(i).line(), subst);
          out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
          i++;
          continue;
        }
        List<String> burst = new ArrayList<>();
        while (i < records.size() && records.get(i).fromServer()) {
          burst.add(records.get(i++).line());
        }
        boolean[] matched = new boolean[burst.size()];
        for (int n = 0; n < burst.size(); n++) {
          String actual = readLine(in);
          assertThat(actual)
              .as(
                  "%s: no line where the recording has one of %s",
                  t.name(), unmatched(burst, matched))
              .isNotNull();
          int j = firstMatch(burst, matched, actual, subst);
          assertThat(j)
              .as(
                  "%s: %s%n   matches none of the recorded lines%n%s",
                  t.name(), actual, String.join("\n", unmatched(burst, matched)))
              .isNotNegative();
          matched[j] = true;
          assertSameShape(t.name(), burst.get(j), actual, subst);
        }
      }
    }
  }

  private static List<String> unmatched(List<String> burst, boolean[] matched) {
    List<String> out = new ArrayList<>();
    for (int j = 0; j < burst.size(); j++) {
      if (!matched[j]) {
        out.add(burst.get(j));
      }
    }
    return out;
  }

  private static int firstMatch(
      List<String> burst, boolean[] matched, String actual, Map<String, String> subst) {
    for (int j = 0; j < burst.size(); j++) {
      if (!matched[j] && sameShape(burst.get(j), actual, subst)) {
        return j;
      }
    }
    return -1;
  }

  /** Same line kind, name, flags, parameter names and channels (as far as they are known). */
  private static boolean sameShape(String expected, String actual, Map<String, String> subst) {
    boolean message = expected.startsWith("%%>message:") || expected.startsWith("%%<message:");
    if (!message) {
      return actual.equals(substitute(expected, subst));
    }
    if (!actual.startsWith(expected.substring(0, 11))) {
      return false;
    }
    List<String> e = YateLine.split(expected.substring(11));
    List<String> a = YateLine.split(actual.substring(11));
    if (a.size() < 3 || a.get(0).isEmpty() != e.get(0).isEmpty() || !a.get(2).equals(e.get(2))) {
      return false;
    }
    if (expected.startsWith("%%<")
        && (!a.get(0).equals(substitute(e.get(0), subst)) || !a.get(1).equals(e.get(1)))) {
      return false;
    }
    Map<String, String> ep = withoutHandlers(YateLine.params(e, 4));
    Map<String, String> ap = withoutHandlers(YateLine.params(a, 4));
    if (!new ArrayList<>(ap.keySet()).equals(new ArrayList<>(ep.keySet()))) {
      return false;
    }
    for (String k : VALUE_KEYS) {
      if (ep.containsKey(k) && !ep.get(k).equals(ap.get(k))) {
        return false;
      }
    }
    for (String k : ID_KEYS) {
      String known = ep.containsKey(k) ? subst.get(ep.get(k)) : null;
      if (known != null && !known.equals(ap.get(k))) {
        return false;
      }
    }
    return true;
  }

  /** The recording's INVITE and BYE came from a SIP peer, not from the client. */
  private static void triggerOutsideEvent(
      YateEmulator yate, String expected, String lastClientLine, Map<String, String> subst) {
    if (expected.startsWith("%%>message:")
        && expected.contains(":call.route:")
        && !lastClientLine.contains(":call.execute:")) {
      Map<String, String> p = params(expected);
      if ("incoming".equals(p.get("direction"))) {
        String actualId = yate.incomingCall(p.get("caller"), p.get("called"));
        subst.put(p.get("id"), actualId);
      }
    }
    if (expected.startsWith("%%<message::false:chan.hangup:")
        && "200".equals(params(expected).get("cause_sip"))
        && !lastClientLine.contains(":call.drop:")) {
      yate.remoteHangup(subst.getOrDefault(params(expected).get("id"), params(expected).get("id")));
    }
  }

  private static void assertSameShape(
      String file, String expected, String actual, Map<String, String> subst) {
    String what = file + ": expected shape of " + expected + "\n   got " + actual;
    if (expected.startsWith("%%>message:") || expected.startsWith("%%<message:")) {
      assertThat(actual.substring(0, 11)).as(what).isEqualTo(expected.substring(0, 11));
      List<String> e = YateLine.split(expected.substring(11));
      List<String> a = YateLine.split(actual.substring(11));
      boolean fromEngine = expected.startsWith("%%>");
      assertThat(a.get(0).isEmpty()).as(what).isEqualTo(e.get(0).isEmpty());
      if (fromEngine) {
        subst.put(e.get(0), a.get(0));
      } else {
        assertThat(a.get(0)).as(what).isEqualTo(substitute(e.get(0), subst));
        assertThat(a.get(1)).as(what + " (processed)").isEqualTo(e.get(1));
      }
      assertThat(a.get(2)).as(what).isEqualTo(e.get(2));
      Map<String, String> ep = withoutHandlers(YateLine.params(e, 4));
      Map<String, String> ap = withoutHandlers(YateLine.params(a, 4));
      assertThat(new ArrayList<>(ap.keySet())).as(what).isEqualTo(new ArrayList<>(ep.keySet()));
      for (String k : ID_KEYS) {
        if (ep.containsKey(k) && !subst.containsKey(ep.get(k))) {
          subst.put(ep.get(k), ap.get(k));
        }
      }
    } else if (expected.startsWith("%%<setlocal:")) {
      List<String> e = YateLine.split(expected);
      List<String> a = YateLine.split(actual);
      assertThat(a.size()).as(what).isEqualTo(e.size());
      assertThat(a.get(1)).as(what).isEqualTo(e.get(1));
      assertThat(a.get(a.size() - 1)).as(what).isEqualTo(e.get(e.size() - 1));
    } else {
      assertThat(actual).as(what).isEqualTo(substitute(expected, subst));
    }
  }

  private static Map<String, String> withoutHandlers(LinkedHashMap<String, String> p) {
    p.remove("handlers");
    return p;
  }

  private static Map<String, String> params(String line) {
    return YateLine.params(YateLine.split(line.substring(11)), 4);
  }

  /** Replaces recorded ids and channels by the emulator's, field by field. */
  private static String substitute(String line, Map<String, String> subst) {
    if (subst.isEmpty()) {
      return line;
    }
    List<String> fields = YateLine.split(line);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < fields.size(); i++) {
      String f = fields.get(i);
      int eq = f.indexOf('=');
      if (eq > 0 && subst.containsKey(f.substring(eq + 1))) {
        f = f.substring(0, eq + 1) + subst.get(f.substring(eq + 1));
      } else if (subst.containsKey(f)) {
        f = subst.get(f);
      }
      sb.append(i == 0 ? "" : ":").append(f);
    }
    return sb.toString();
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try {
      int b;
      while ((b = in.read()) >= 0) {
        if (b == '\n') {
          return buf.toString(StandardCharsets.UTF_8);
        }
        buf.write(b);
      }
    } catch (SocketTimeoutException e) {
      return null;
    } catch (IOException e) {
      return null;
    }
    return buf.size() == 0 ? null : buf.toString(StandardCharsets.UTF_8);
  }
}
