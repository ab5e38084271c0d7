package org.sipadapter.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterConnectionException;

class LinkSlotTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private ServerSocket server;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final ExecutorService events = Executors.newSingleThreadExecutor();
  private final List<String> frames = new CopyOnWriteArrayList<>();
  private final List<String> stale = new CopyOnWriteArrayList<>();
  private final List<String> ahead = new CopyOnWriteArrayList<>();
  private final List<String> malformed = new CopyOnWriteArrayList<>();
  private final List<LinkSlot.Link<String>> closed = new CopyOnWriteArrayList<>();
  private final List<String> threads = new CopyOnWriteArrayList<>();

  private final AtomicInteger handedOff = new AtomicInteger();

  private final LinkSlot<String> slot =
      new LinkSlot<>(
          task -> {
            handedOff.incrementAndGet();
            events.execute(task);
          },
          new LinkSlot.Handler<>() {
            @Override
            public void onFrame(LinkSlot.Link<String> link, String frame) {
              threads.add(Thread.currentThread().getName());
              frames.add(frame);
            }

            @Override
            public boolean onFrameAhead(LinkSlot.Link<String> link, String frame) {
              if (frame.startsWith("reply")) {
                ahead.add(frame);
                return true;
              }
              return false;
            }

            @Override
            public void onStaleFrame(LinkSlot.Link<String> link, String frame) {
              stale.add(frame);
            }

            @Override
            public void onMalformed(String reason) {
              malformed.add(reason);
            }

            @Override
            public void onClosed(LinkSlot.Link<String> link, Throwable cause) {
              threads.add(Thread.currentThread().getName());
              closed.add(link);
            }
          });

  @BeforeEach
  void listen() throws Exception {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  }

  @AfterEach
  void stop() throws Exception {
    slot.current().ifPresent(LinkSlot.Link::close);
    events.shutdownNow();
    server.close();
    for (Socket s : accepted) {
      s.close();
    }
  }

  private FramedConnection.Endpoint endpoint(int port) {
    return new FramedConnection.Endpoint("slot", "127.0.0.1", port, false, Duration.ofSeconds(5));
  }

  private LinkSlot.Link<String> open() {
    return slot.open(endpoint(server.getLocalPort()), new FramedConnectionTest.LineDecoder());
  }

  private OutputStream peer() throws Exception {
    Socket s = server.accept();
    accepted.add(s);
    return s.getOutputStream();
  }

  private static void write(OutputStream out, String text) throws Exception {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** Holds the event thread until the returned latch is counted down. */
  private CountDownLatch blockEvents() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    events.execute(
        () -> {
          running.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    assertThat(running.await(60, TimeUnit.SECONDS)).isTrue();
    return release;
  }

  @Test
  void framesReachTheHandlerOnTheSerialExecutorInWireOrder() throws Exception {
    LinkSlot.Link<String> link = open();
    OutputStream out = peer();
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      lines.append("f").append(i).append('\n');
    }
    write(out, lines.toString());

    await().atMost(WAIT).until(() -> frames.size() == 200);
    for (int i = 0; i < 200; i++) {
      assertThat(frames.get(i)).isEqualTo("f" + i);
    }
    String eventThread =
        CompletableFuture.supplyAsync(() -> Thread.currentThread().getName(), events).get();
    assertThat(threads).containsOnly(eventThread);
    assertThat(link.isCurrent()).isTrue();
    assertThat(slot.current()).contains(link);
  }

  @Test
  void aReplyTakenAheadIsHandledWhileTheEventsBeforeItWaitForTheSerialExecutor() throws Exception {
    open();
    OutputStream out = peer();
    CountDownLatch release = blockEvents();
    write(out, "event-1\nreply-1\nevent-2\n");

    // The event thread is held (a backlog of events): the reply must not wait for it.
    await().atMost(WAIT).until(() -> ahead.contains("reply-1"));
    assertThat(frames).isEmpty();
    release.countDown();
    await().atMost(WAIT).until(() -> frames.size() == 2);
    assertThat(frames).containsExactly("event-1", "event-2");
    assertThat(ahead).containsExactly("reply-1");
  }

  @Test
  void aLateFrameOfAnOldLinkNeverReachesTheNewOne() throws Exception {
    LinkSlot.Link<String> first = open();
    OutputStream firstPeer = peer();
    CountDownLatch release = blockEvents();
    // Read while the first link is current, handled after the second one opened.
    write(firstPeer, "old-1\nold-2\n");
    firstPeer.close();
    await().atMost(WAIT).until(() -> handedOff.get() == 3); // two frames and the close
    LinkSlot.Link<String> second = open();
    OutputStream secondPeer = peer();
    release.countDown();
    write(secondPeer, "new-1\n");

    await().atMost(WAIT).until(() -> frames.contains("new-1"));
    await().atMost(WAIT).until(() -> stale.size() == 2);
    assertThat(frames).containsExactly("new-1");
    assertThat(stale).containsExactly("old-1", "old-2");
    assertThat(closed).isEmpty(); // the old link's close came after the new link opened
    assertThat(first.isCurrent()).isFalse();
    assertThat(second.isCurrent()).isTrue();
    assertThat(slot.current()).contains(second);
  }

  @Test
  void aServerCloseIsReportedOnceAfterTheFramesBeforeItAndEmptiesTheSlot() throws Exception {
    LinkSlot.Link<String> link = open();
    OutputStream out = peer();
    write(out, "last\n");
    out.close();

    await().atMost(WAIT).until(() -> closed.size() == 1);
    assertThat(frames).containsExactly("last");
    assertThat(closed).containsExactly(link);
    assertThat(slot.current()).isEmpty();
    // The close was queued behind everything else: draining the executor adds nothing more.
    CompletableFuture.runAsync(() -> {}, events).get(60, TimeUnit.SECONDS);
    assertThat(closed).hasSize(1);
  }

  @Test
  void aLocallyClosedLinkIsNotReportedAsClosed() throws Exception {
    LinkSlot.Link<String> link = open();
    peer();
    link.close();

    CompletableFuture.runAsync(() -> {}, events).get(60, TimeUnit.SECONDS);
    assertThat(closed).isEmpty();
    assertThat(slot.current()).isEmpty();
    assertThatThrownBy(() -> link.send("x\n".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(AdapterConnectionException.class);
  }

  @Test
  void malformedInputIsReportedAndTheLinkStaysUp() throws Exception {
    open();
    OutputStream out = peer();
    write(out, "BOOM\n");
    await().atMost(WAIT).until(() -> malformed.size() == 1);
    write(out, "after\n");

    await().atMost(WAIT).until(() -> frames.contains("after"));
    assertThat(malformed.get(0)).contains("decoder failed");
  }

  @Test
  void aFailedOpenLeavesTheSlotEmpty() throws Exception {
    int closedPort;
    try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = gone.getLocalPort();
    }

    assertThatThrownBy(
            () -> slot.open(endpoint(closedPort), new FramedConnectionTest.LineDecoder()))
        .isInstanceOf(AdapterConnectionException.class);
    assertThat(slot.current()).isEmpty();
  }

  @Test
  void sendWritesOnTheLinksSocket() throws Exception {
    LinkSlot.Link<String> link = open();
    Socket s = server.accept();
    accepted.add(s);
    link.send("hello\n".getBytes(StandardCharsets.UTF_8));

    byte[] got = s.getInputStream().readNBytes(6);
    assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo("hello\n");
    assertThat(link.connection()).isPresent();
  }
}
