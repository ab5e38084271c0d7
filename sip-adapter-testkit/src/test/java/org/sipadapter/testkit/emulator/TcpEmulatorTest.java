package org.sipadapter.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TcpEmulatorTest {

  /** A tiny line protocol: banner on connect, "PING n" -> "PONG n", anything else -> "ERR". */
  private static final class PingHandler implements SessionHandler {
    final AtomicInteger closes;

    PingHandler(AtomicInteger closes) {
      this.closes = closes;
    }

    @Override
    public void onConnect(EmulatorSession session) {
      session.send("HELLO\n");
    }

    @Override
    public void onFrame(EmulatorSession session, Frame frame) {
      String line = frame.text().trim();
      if (line.startsWith("PING ")) {
        session.send("PONG " + line.substring(5) + "\n");
      } else if (line.equals("BOOM")) {
        throw new IllegalStateException("handler failure on purpose");
      } else {
        session.send("ERR\n");
      }
    }

    @Override
    public void onClose(EmulatorSession session) {
      closes.incrementAndGet();
    }
  }

  private final AtomicInteger closes = new AtomicInteger();
  private final TcpEmulator emulator =
      new TcpEmulator("ping", FrameSplitter.lines(), s -> new PingHandler(closes)).start();
  private final List<Socket> clients = new ArrayList<>();

  @AfterEach
  void stop() throws IOException {
    for (Socket s : clients) {
      s.close();
    }
    emulator.close();
  }

  private final class Client {
    final Socket socket;
    final BufferedReader in;

    Client() throws IOException {
      socket = new Socket(emulator.host(), emulator.port());
      socket.setSoTimeout(5_000);
      clients.add(socket);
      in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    void send(String text) throws IOException {
      socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
    }

    String line() throws IOException {
      return in.readLine();
    }
  }

  @Test
  void eachConnectionGetsItsOwnSessionWithBannerAndReplies() throws IOException {
    Client a = new Client();
    Client b = new Client();

    assertThat(a.line()).isEqualTo("HELLO");
    assertThat(b.line()).isEqualTo("HELLO");
    a.send("PING 1\n");
    b.send("PING 2\n");

    assertThat(a.line()).isEqualTo("PONG 1");
    assertThat(b.line()).isEqualTo("PONG 2");
    assertThat(emulator.sessionCount()).isEqualTo(2);
    assertThat(emulator.sessions().get(0).handler()).isInstanceOf(PingHandler.class);
  }

  @Test
  void framesSplitAcrossWritesAreReassembledAndRecorded() throws IOException {
    Client c = new Client();
    c.line();

    c.send("PI");
    c.send("NG 7\nPING 8\nPI");
    c.send("NG 9\n");

    assertThat(c.line()).isEqualTo("PONG 7");
    assertThat(c.line()).isEqualTo("PONG 8");
    assertThat(c.line()).isEqualTo("PONG 9");
    assertThat(emulator.receivedFrames())
        .extracting(Frame::text)
        .containsExactly("PING 7\n", "PING 8\n", "PING 9\n");
    assertThat(emulator.sessions().get(0).received()).hasSize(3);
  }

  @Test
  void scriptedRepliesOverrideTheHandlerNewestFirstAndOnceScriptsExpire() throws IOException {
    Client c = new Client();
    c.line();
    Script always = emulator.when(f -> f.contains("PING"), (s, f) -> s.send("SCRIPTED\n"));
    emulator.once(f -> f.contains("PING 2"), (s, f) -> s.send("ONCE\n"));

    c.send("PING 2\nPING 2\nPING 3\n");
    assertThat(c.line()).isEqualTo("ONCE");
    assertThat(c.line()).isEqualTo("SCRIPTED");
    assertThat(c.line()).isEqualTo("SCRIPTED");
    assertThat(always.uses()).isEqualTo(2);

    always.remove();
    c.send("PING 4\n");
    assertThat(c.line()).isEqualTo("PONG 4");
  }

  @Test
  void ignoredFramesAreRecordedButNotAnswered() throws IOException {
    Client c = new Client();
    c.line();
    emulator.ignore(f -> f.contains("PING 1"));

    c.send("PING 1\nPING 2\n");

    assertThat(c.line()).isEqualTo("PONG 2");
    assertThat(emulator.receivedFrames()).hasSize(2);
  }

  @Test
  void pushReachesEveryOpenSession() throws IOException {
    Client a = new Client();
    Client b = new Client();
    a.line();
    b.line();
    await().until(() -> emulator.sessionCount() == 2);

    emulator.push("EVENT x\n");

    assertThat(a.line()).isEqualTo("EVENT x");
    assertThat(b.line()).isEqualTo("EVENT x");
  }

  @Test
  void dropAllClosesConnectionsAndTellsTheHandlers() throws IOException {
    Client a = new Client();
    Client b = new Client();
    a.line();
    b.line();
    await().until(() -> emulator.sessionCount() == 2);

    emulator.dropAll();

    assertThat(a.line()).isNull();
    assertThat(b.line()).isNull();
    await().until(() -> closes.get() == 2 && emulator.sessionCount() == 0);
    Client again = new Client();
    assertThat(again.line()).isEqualTo("HELLO");
  }

  @Test
  void stallKeepsTheSocketButAnswersNothingUntilResumeThenAnswersLate() throws IOException {
    Client c = new Client();
    c.line();

    emulator.stall();
    c.send("PING 1\n");
    emulator.push("EVENT during stall\n");
    await().until(() -> emulator.receivedFrames().size() == 1);
    c.socket.setSoTimeout(200);
    assertThatThrownBy(c::line).isInstanceOf(SocketTimeoutException.class);
    assertThat(emulator.sessionCount()).isEqualTo(1);

    emulator.resume();

    c.socket.setSoTimeout(5_000);
    assertThat(c.line()).isEqualTo("EVENT during stall");
    assertThat(c.line()).isEqualTo("PONG 1");
  }

  @Test
  void resumeDiscardingHeldDropsWhatArrivedDuringTheStall() throws IOException {
    Client c = new Client();
    c.line();
    emulator.stall();
    c.send("PING 1\n");
    await().until(() -> emulator.receivedFrames().size() == 1);

    emulator.resumeDiscardingHeld();
    c.send("PING 2\n");

    assertThat(c.line()).isEqualTo("PONG 2");
  }

  @Test
  void garbageAndHugeFramesAreWrittenEvenWhileStalled() throws IOException {
    Client c = new Client();
    c.line();
    emulator.stall();

    emulator.injectGarbage("%%garbage\n".getBytes(StandardCharsets.US_ASCII));
    emulator.injectHugeFrame(1 << 20);

    assertThat(c.line()).isEqualTo("%%garbage");
    String huge = c.line();
    assertThat(huge).hasSize(1 << 20).matches("x+");
  }

  @Test
  void defaultGarbageIsACompleteFrameForLineAndBlockClients() throws IOException {
    Client c = new Client();
    c.line();

    emulator.injectGarbage();

    assertThat(c.line()).contains("no-structure");
  }

  @Test
  void aThrowingHandlerIsRecordedAndTheConnectionSurvives() throws IOException {
    Client c = new Client();
    c.line();

    c.send("BOOM\nPING 5\n");

    assertThat(c.line()).isEqualTo("PONG 5");
    assertThat(emulator.handlerErrors()).singleElement().isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aClientFrameLargerThanTheLimitEndsThatConnection() throws IOException {
    emulator.maxFrameBytes(4096);
    Client c = new Client();
    c.line();

    c.send("y".repeat(10_000));

    assertThat(c.line()).isNull();
    await().until(() -> emulator.handlerErrors().size() == 1);
  }

  @Test
  void closeStopsListeningClosesSessionsAndLeavesNoThreads() throws IOException {
    Client c = new Client();
    c.line();
    emulator.stall();

    emulator.close();
    emulator.close();

    assertThat(c.line()).isNull();
    assertThatThrownBy(() -> new Socket(emulator.host(), emulator.port()))
        .isInstanceOf(ConnectException.class);
    await().until(() -> emulator.threadNames().isEmpty());
  }

  @Test
  void aSubclassSuppliesHandlersByOverriding() throws IOException {
    class Greeter extends TcpEmulator {
      Greeter() {
        super("greeter", FrameSplitter.lines());
      }

      @Override
      protected SessionHandler newHandler(EmulatorSession session) {
        return (s, f) -> s.send("HI " + f.text());
      }
    }
    try (Greeter greeter = new Greeter()) {
      greeter.start();
      Socket s = new Socket(greeter.host(), greeter.port());
      clients.add(s);
      s.setSoTimeout(5_000);
      s.getOutputStream().write("bob\n".getBytes(StandardCharsets.UTF_8));
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      assertThat(in.readLine()).isEqualTo("HI bob");
    }
  }

  @Test
  void headerLookupReadsNameValueLinesIgnoringCase() {
    Frame f =
        new Frame(
            1,
            "Action: Originate\r\nActionID: 42\r\nVariable: a=b\r\n\r\n"
                .getBytes(StandardCharsets.UTF_8),
            java.time.Instant.now());
    assertThat(f.header("actionid")).hasValue("42");
    assertThat(f.header("Action")).hasValue("Originate");
    assertThat(f.header("Channel")).isEmpty();
  }
}
