package org.sipadapter.testkit.ami;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sipadapter.testkit.fixtures.Fixture;
import org.sipadapter.testkit.fixtures.Fixtures;
import org.sipadapter.testkit.fixtures.WireTranscript;

/**
 * Replays the client side of every recorded Asterisk session in the {@code ami} fixtures against
 * the emulator and checks that the emulator answers with packets of the same shape: the same
 * banner, replies with the same headers in the same order, and every event it sends that the
 * recording also has carrying the same headers in the same order. Ids, times and the events the
 * emulator does not produce (Newexten, VarSet, Cdr, ...) are not compared.
 */
class AmiEmulatorReplayTest {

  /** Actions the emulator does not implement; it answers them with an error, as for any unknown. */
  private static final Set<String> NOT_EMULATED =
      Set.of("park", "parkedcalls", "command", "setvar", "getvar");

  static List<Fixture> fixtures() {
    return Fixtures.transcripts("ami");
  }

  private static List<AmiMessage> packets(String stream) {
    List<AmiMessage> list = new ArrayList<>();
    for (String p : stream.replaceAll("(?<!\r)\n", "\r\n").split("\r\n\r\n")) {
      if (!p.isBlank()) {
        list.add(AmiMessage.parse(p.getBytes(StandardCharsets.UTF_8)));
      }
    }
    return list;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void emulatorAnswersTheRecordedRequestsWithPacketsOfTheSameShape(Fixture file) throws Exception {
    WireTranscript transcript = WireTranscript.read(file);
    String server = new String(transcript.serverBytes(), StandardCharsets.UTF_8);
    String banner = server.substring(0, server.indexOf("\r\n"));
    List<AmiMessage> recorded = packets(server.substring(banner.length() + 2));
    List<AmiMessage> actions =
        packets(new String(transcript.clientBytes(), StandardCharsets.UTF_8));
    List<String> recordedChannels =
        recorded.stream()
            .filter(m -> m.get("Event").filter("Newchannel"::equals).isPresent())
            .map(m -> m.get("Channel", ""))
            .toList();

    try (AmiEmulator pbx =
            AmiEmulator.create()
                .outcome("300", AmiEmulator.Outcome.BUSY)
                .outcome("999", AmiEmulator.Outcome.UNKNOWN_EXTENSION)
                .outcome("300@sdk-targets", AmiEmulator.Outcome.ANSWER)
                .newCallContext("fixture-newcall", "300")
                .ringTimes(Duration.ofMillis(5), Duration.ofMillis(50))
                .start();
        AmiTestClient client = new AmiTestClient(pbx.host(), pbx.port())) {
      assertThat(client.banner).isEqualTo(banner);
      int compared = 0;
      for (AmiMessage action : actions) {
        String name = action.get("Action", "").toLowerCase(java.util.Locale.ROOT);
        String id = action.get("ActionID", "");
        awaitEmulatorChannels(action, recordedChannels, client);
        client.send(withEmulatorChannels(action, recordedChannels, client.received));
        AmiMessage reply =
            client.readUntil(
                m ->
                    m.get("Response").isPresent()
                        && m.get("ActionID", "").equals(id)
                        && m.get("Event").isEmpty());
        if (NOT_EMULATED.contains(name)) {
          continue;
        }
        AmiMessage expected =
            recorded.stream()
                .filter(
                    m ->
                        m.get("Response").isPresent()
                            && m.get("Event").isEmpty()
                            && m.get("ActionID", "").equals(id))
                .findFirst()
                .orElseThrow();
        assertThat(reply.keys()).as("reply to %s", id).isEqualTo(expected.keys());
        assertThat(reply.get("Response"))
            .as("reply to %s: %s", id, reply.headers())
            .isEqualTo(expected.get("Response"));
        compared++;
        if ("start".equalsIgnoreCase(reply.get("EventList", ""))) {
          client.readUntil(
              m -> m.get("EventList", "").equals("Complete") && m.get("ActionID", "").equals(id));
        } else if (name.equals("originate") && reply.get("Response", "").equals("Success")) {
          client.readUntil(
              m ->
                  m.get("Event").filter("OriginateResponse"::equals).isPresent()
                      && m.get("ActionID", "").equals(id));
        }
      }
      client.readToEnd();
      assertThat(compared).isPositive();
      // Some events come in more than one shape (DialBegin with and without the caller).
      Map<String, Set<List<String>>> recordedShapes = new HashMap<>();
      for (AmiMessage m : recorded) {
        m.get("Event")
            .ifPresent(
                e ->
                    recordedShapes
                        .computeIfAbsent(e, k -> new java.util.HashSet<>())
                        .add(m.keys()));
      }
      for (AmiMessage m : client.received) {
        String event = m.get("Event").orElse(null);
        if (event != null && recordedShapes.containsKey(event)) {
          assertThat(recordedShapes.get(event)).as("headers of %s", event).contains(m.keys());
        }
      }
    }
  }

  /**
   * Reads on until the emulator has announced as many channels as the recording had when it named
   * the channel this action acts on. Events and replies travel apart, so a reply can overtake the
   * Newchannel of a channel the dialplan started a moment before it.
   */
  private static void awaitEmulatorChannels(
      AmiMessage action, List<String> recordedChannels, AmiTestClient client) throws Exception {
    int needed = 0;
    for (Map.Entry<String, String> h : action.headers()) {
      if (h.getKey().matches("(?i)Channel[12]?")) {
        needed = Math.max(needed, recordedChannels.indexOf(h.getValue()) + 1);
      }
    }
    while (newChannels(client.received) < needed) {
      client.readUntil(m -> m.get("Event").filter("Newchannel"::equals).isPresent());
    }
  }

  private static long newChannels(List<AmiMessage> received) {
    return received.stream()
        .filter(m -> m.get("Event").filter("Newchannel"::equals).isPresent())
        .count();
  }

  /** Rewrites a recorded channel name into the name the emulator gave the same channel. */
  private static AmiMessage withEmulatorChannels(
      AmiMessage action, List<String> recordedChannels, List<AmiMessage> received) {
    List<String> ours =
        received.stream()
            .filter(m -> m.get("Event").filter("Newchannel"::equals).isPresent())
            .map(m -> m.get("Channel", ""))
            .toList();
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < Math.min(ours.size(), recordedChannels.size()); i++) {
      map.put(recordedChannels.get(i), ours.get(i));
    }
    AmiMessage.Builder b = AmiMessage.builder();
    for (Map.Entry<String, String> h : action.headers()) {
      b.add(
          h.getKey(),
          h.getKey().matches("(?i)Channel[12]?")
              ? map.getOrDefault(h.getValue(), h.getValue())
              : h.getValue());
    }
    return b.build();
  }
}
