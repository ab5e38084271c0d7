package org.sipadapter.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.dispatch.WakeBatch;

class FramedConnectionTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private ServerSocket server;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final List<String> frames = new CopyOnWriteArrayList<>();
  private final List<String> malformed = new CopyOnWriteArrayList<>();
  private final List<Throwable> closes = new CopyOnWriteArrayList<>();

  /** Frames are lines ending in LF; a line "BOOM" makes the decoder throw. */
  static final class LineDecoder implements FrameDecoder<String> {
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    @Override
    public void decode(ByteBuffer in, FrameSink<String> sink) {
      while (in.hasRemaining()) {
        byte b = in.get();
        if (b == '\n') {
          String line = partial.toString(StandardCharsets.UTF_8);
          partial.reset();
          if (line.equals("BOOM")) {
            throw new IllegalStateException("decoder bug");
          }
          sink.frame(line);
        } else {
          partial.write(b);
        }
      }
    }

    @Override
    public void reset() {
      partial.reset();
    }
  }

  private final FramedConnection.Listener<String> listener =
      new FramedConnection.Listener<>() {
        @Override
        public void onFrame(String frame) {
          if (frame.equals("THROW")) {
            throw new IllegalArgumentException("listener bug");
          }
          frames.add(frame);
        }

        @Override
        public void onMalformed(String reason) {
          malformed.add(reason);
        }

        @Override
        public void onClosed(Throwable cause) {
          closes.add(cause);
        }
      };

  @BeforeEach
  void listen() throws Exception {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    for (Socket s : accepted) {
      s.close();
    }
  }

  private FramedConnection<String> open() {
    return FramedConnection.open(
        new FramedConnection.Endpoint(
            "test", "127.0.0.1", server.getLocalPort(), false, Duration.ofSeconds(5)),
        new LineDecoder(),
        listener);
  }

  private Socket accept() throws Exception {
    Socket s = server.accept();
    accepted.add(s);
    return s;
  }

  @Test
  void framesSplitAcrossWritesComeOutWhole() throws Exception {
    try (FramedConnection<String> c = open()) {
      OutputStream peer = accept().getOutputStream();
      byte[] bytes =
          "Event: Newchannel\nEvent: Hangup\nResponse: Success\n".getBytes(StandardCharsets.UTF_8);
      for (byte b : bytes) {
        peer.write(b);
        peer.flush();
      }

      await().atMost(WAIT).until(() -> frames.size() == 3);
      assertThat(frames).containsExactly("Event: Newchannel", "Event: Hangup", "Response: Success");
    }
  }

  @Test
  void sendWritesWholeFramesToThePeer() throws Exception {
    try (FramedConnection<String> c = open()) {
      Socket peer = accept();
      List<CompletableFuture<Void>> writers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        int n = i;
        writers.add(
            CompletableFuture.runAsync(
                () -> {
                  for (int j = 0; j < 50; j++) {
                    c.send("writer-" + n + "-" + "x".repeat(500) + "\n");
                  }
                }));
      }
      CompletableFuture.allOf(writers.toArray(new CompletableFuture[0])).join();
      byte[] buf = new byte[4 * 50 * 510];
      int read = 0;
      int expected = 4 * 50 * ("writer-0-".length() + 501);
      var in = peer.getInputStream();
      while (read < expected) {
        read += in.read(buf, read, buf.length - read);
      }
      String all = new String(buf, 0, read, StandardCharsets.UTF_8);
      for (String line : all.split("\n")) {
        assertThat(line).matches("writer-[0-3]-x{500}");
      }
    }
  }

  @Test
  void deferredFramesWaitForTheBatchThenGoOutTogetherInOrder() throws Exception {
    try (FramedConnection<String> c = open()) {
      Socket peer = accept();
      try (WakeBatch batch = WakeBatch.open()) {
        c.sendDeferred("one\n".getBytes(StandardCharsets.UTF_8));
        c.sendDeferred("two\n".getBytes(StandardCharsets.UTF_8));
        assertThat(c.deferredBytes()).isEqualTo(8);
      }
      assertThat(c.deferredBytes()).isZero();
      assertThat(readExactly(peer, 8)).isEqualTo("one\ntwo\n");
    }
  }

  @Test
  void aLaterSendFromAnyThreadWritesTheDeferredFramesFirst() throws Exception {
    try (FramedConnection<String> c = open()) {
      Socket peer = accept();
      try (WakeBatch batch = WakeBatch.open()) {
        c.sendDeferred("answer\n".getBytes(StandardCharsets.UTF_8));
        CompletableFuture.runAsync(() -> c.send("request\n")).join();
        assertThat(c.deferredBytes()).isZero();
      }
      assertThat(readExactly(peer, 15)).isEqualTo("answer\nrequest\n");
    }
  }

  @Test
  void outsideABatchADeferredFrameIsWrittenAtOnce() throws Exception {
    try (FramedConnection<String> c = open()) {
      Socket peer = accept();
      c.sendDeferred("now\n".getBytes(StandardCharsets.UTF_8));
      assertThat(c.deferredBytes()).isZero();
      assertThat(readExactly(peer, 4)).isEqualTo("now\n");
    }
  }

  private static String readExactly(Socket peer, int length) throws Exception {
    peer.setSoTimeout((int) WAIT.toMillis());
    byte[] buf = peer.getInputStream().readNBytes(length);
    return new String(buf, StandardCharsets.UTF_8);
  }

  @Test
  void aThrowingDecoderIsResetAndReadingGoesOn() throws Exception {
    try (FramedConnection<String> c = open()) {
      OutputStream peer = accept().getOutputStream();
      peer.write("one\nBOOM\ntwo\n".getBytes(StandardCharsets.UTF_8));
      peer.flush();
      await().atMost(WAIT).until(() -> !malformed.isEmpty());
      peer.write("three\n".getBytes(StandardCharsets.UTF_8));
      peer.flush();

      await().atMost(WAIT).until(() -> frames.contains("three"));
      assertThat(frames).contains("one");
      assertThat(malformed).anyMatch(m -> m.contains("decoder failed"));
      assertThat(c.isOpen()).isTrue();
      assertThat(closes).isEmpty();
    }
  }

  @Test
  void aThrowingListenerDoesNotKillTheReader() throws Exception {
    try (FramedConnection<String> c = open()) {
      OutputStream peer = accept().getOutputStream();
      peer.write("THROW\nafter\n".getBytes(StandardCharsets.UTF_8));
      peer.flush();

      await().atMost(WAIT).until(() -> frames.contains("after"));
      assertThat(malformed).anyMatch(m -> m.contains("frame handler failed"));
      assertThat(c.isOpen()).isTrue();
    }
  }

  @Test
  void onClosedIsCalledExactlyOnceWhenTheServerCloses() throws Exception {
    try (FramedConnection<String> c = open()) {
      Socket peer = accept();
      peer.close();

      await().atMost(WAIT).until(() -> !closes.isEmpty());
      assertThat(c.isOpen()).isFalse();
      assertThatThrownBy(() -> c.send("x\n")).isInstanceOf(AdapterConnectionException.class);
      c.close();
      assertThat(closes).hasSize(1);
    }
  }

  @Test
  void aLocalCloseDoesNotCallOnClosed() throws Exception {
    FramedConnection<String> c = open();
    accept();

    c.close();
    c.close();

    assertThat(c.isOpen()).isFalse();
    assertThat(closes).isEmpty();
  }

  @Test
  void closeReturnsEvenWhenAWriterIsStuckOnAPeerThatDoesNotRead() throws Exception {
    FramedConnection<String> c = open();
    accept();
    byte[] chunk = new byte[1 << 20];
    AtomicInteger written = new AtomicInteger();
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              while (true) {
                c.send(chunk);
                written.incrementAndGet();
              }
            });
    // The peer never reads, so the socket buffers fill and the writer blocks in send().

    assertTimeoutPreemptively(Duration.ofSeconds(10), c::close);

    await().atMost(WAIT).until(writer::isDone);
    assertThat(writer).isCompletedExceptionally();
    assertThat(c.isOpen()).isFalse();
  }

  @Test
  void connectionRefusedIsAnAdapterConnectionException() throws Exception {
    int port = server.getLocalPort();
    server.close();

    assertThatThrownBy(
            () ->
                FramedConnection.open(
                    new FramedConnection.Endpoint(
                        "t", "127.0.0.1", port, false, Duration.ofSeconds(2)),
                    new LineDecoder(),
                    listener))
        .isInstanceOf(AdapterConnectionException.class)
        .hasMessageContaining("127.0.0.1:" + port);
  }

  @Test
  void aConnectThatCannotCompleteFailsWithAnAdapterConnectionException() throws Exception {
    // A listener with a backlog of 1 that never accepts: once its queue is full the kernel
    // drops further SYNs, so connecting can only end by the connect timeout.
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> fillers = new ArrayList<>();
      AdapterConnectionException failure = null;
      try {
        for (int i = 0; i < 20 && failure == null; i++) {
          try {
            FramedConnection<String> c =
                FramedConnection.open(
                    new FramedConnection.Endpoint(
                        "t", "127.0.0.1", full.getLocalPort(), false, Duration.ofMillis(200)),
                    new LineDecoder(),
                    listener);
            fillers.add(null);
            c.close();
          } catch (AdapterConnectionException e) {
            failure = e;
          }
        }
      } finally {
        for (Socket s : fillers) {
          if (s != null) {
            s.close();
          }
        }
      }
      assertThat(failure).isNotNull();
      assertThat(failure)
          .hasMessageContaining("Cannot connect to 127.0.0.1:" + full.getLocalPort());
    }
  }
}
