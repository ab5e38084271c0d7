package org.sipadapter.testkit.tck;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.sipadapter.testkit.emulator.EmulatorSession;
import org.sipadapter.testkit.emulator.Frame;
import org.sipadapter.testkit.emulator.FrameSplitter;
import org.sipadapter.testkit.emulator.SessionHandler;
import org.sipadapter.testkit.emulator.TcpEmulator;

/**
 * A small call server speaking a line protocol, the reference server of the conformance suite's own
 * tests. Requests are {@code <id> <VERB> args...}, replies {@code <id> OK [data]} or {@code <id>
 * ERR <code> <text>}, and events {@code EVENT <NAME> <ref> ...} go to every logged-in connection.
 * Calls live in the server, not in a connection, so they survive reconnects.
 *
 * <p>Destinations: {@code answer} rings then answers, {@code busy} ends with cause 17, {@code
 * noanswer} rings forever, anything else ends with cause 1.
 */
final class LineProtocolEmulator extends TcpEmulator {

  static final String USER = "tck";
  static final String PASSWORD = "line-secret-7431";

  private final Map<String, String> calls = new ConcurrentHashMap<>(); // ref -> state
  private final Set<EmulatorSession> loggedIn = ConcurrentHashMap.newKeySet();
  private final AtomicInteger inboundSeq = new AtomicInteger();

  LineProtocolEmulator() {
    super("tck", FrameSplitter.lines());
  }

  @Override
  protected SessionHandler newHandler(EmulatorSession session) {
    return new Handler();
  }

  /** Ends a call from the server side (the far end hangs up). */
  void hangupFromServer(String ref) {
    if (calls.remove(ref) != null) {
      event("HANGUP " + ref + " 16");
    }
  }

  /** A call arrives for the clients. */
  void incoming(String from, String to) {
    String ref = "in-" + inboundSeq.incrementAndGet();
    calls.put(ref, "RINGING");
    event("INCOMING " + ref + " " + from + " " + to);
  }

  /** The far end of a call presses a key. */
  void dtmfFromFarEnd(String ref, String digit) {
    event("DTMF " + ref + " " + digit);
  }

  /** Sends one valid event with a payload of {@code bytes} bytes. */
  void largeNote(int bytes) {
    event("NOTE " + "x".repeat(bytes));
  }

  int liveCalls() {
    return calls.size();
  }

  private void event(String body) {
    byte[] line = ("EVENT " + body + "\n").getBytes(StandardCharsets.UTF_8);
    for (EmulatorSession s : loggedIn) {
      s.send(line);
    }
  }

  private final class Handler implements SessionHandler {
    @Override
    public void onConnect(EmulatorSession session) {
      session.send("HELLO tck 1.0\n");
    }

    @Override
    public void onFrame(EmulatorSession session, Frame frame) {
      List<String> t = tokens(frame.text());
      if (t.size() < 2) {
        return;
      }
      String id = t.get(0);
      String verb = t.get(1);
      if (!verb.equals("LOGIN") && !loggedIn.contains(session)) {
        session.send(id + " ERR 403 login first\n");
        return;
      }
      switch (verb) {
        case "LOGIN" -> {
          if (t.size() == 4 && t.get(2).equals(USER) && t.get(3).equals(PASSWORD)) {
            loggedIn.add(session);
            session.send(id + " OK\n");
          } else {
            session.send(id + " ERR 401 bad credentials\n");
            session.close();
          }
        }
        case "PING" -> session.send(id + " OK\n");
        case "DIAL" -> dial(session, id, t.get(2), t.get(3), t.get(4));
        case "HANGUP" -> {
          String ref = t.get(2);
          if (calls.remove(ref) != null) {
            session.send(id + " OK\n");
            event("HANGUP " + ref + " 16");
          } else {
            session.send(id + " ERR 404 no such call\n");
          }
        }
        case "ANSWER" -> {
          String ref = t.get(2);
          calls.put(ref, "CONNECTED");
          session.send(id + " OK\n");
          event("ANSWERED " + ref);
        }
        case "REJECT" -> {
          String ref = t.get(2);
          calls.remove(ref);
          session.send(id + " OK\n");
          event("HANGUP " + ref + " " + t.get(3));
        }
        case "DTMF" -> session.send(id + " OK\n");
        case "LIST" -> {
          StringBuilder b = new StringBuilder(id).append(" OK");
          calls.forEach((ref, state) -> b.append(' ').append(ref).append('=').append(state));
          session.send(b.append('\n').toString());
        }
        default -> session.send(id + " ERR 400 unknown verb\n");
      }
    }

    private void dial(EmulatorSession session, String id, String ref, String from, String to) {
      session.send(id + " OK\n");
      // Every client learns of the call, as AMI's Newchannel reaches every manager session.
      event("DIALED " + ref + " " + from + " " + to);
      switch (to) {
        case "answer" -> {
          calls.put(ref, "RINGING");
          event("RINGING " + ref);
          calls.put(ref, "CONNECTED");
          event("ANSWERED " + ref);
        }
        case "noanswer" -> {
          calls.put(ref, "RINGING");
          event("RINGING " + ref);
        }
        case "busy" -> event("HANGUP " + ref + " 17");
        default -> event("HANGUP " + ref + " 1");
      }
    }

    @Override
    public void onClose(EmulatorSession session) {
      loggedIn.remove(session);
    }
  }

  /** Splits a line on spaces, dropping the line end; scans characters, no regex. */
  static List<String> tokens(String line) {
    List<String> out = new ArrayList<>();
    int start = -1;
    for (int i = 0; i <= line.length(); i++) {
      char c = i < line.length() ? line.charAt(i) : ' ';
      boolean separator = c == ' ' || c == '\r' || c == '\n';
      if (separator && start >= 0) {
        out.add(line.substring(start, i));
        start = -1;
      } else if (!separator && start < 0) {
        start = i;
      }
    }
    return out;
  }
}
