package org.sipadapter.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.sipadapter.AdapterConnectionException;
import org.sipadapter.testkit.tls.TestCertificates;
import org.sipadapter.transport.FrameDecoder;
import org.sipadapter.transport.FrameSink;
import org.sipadapter.transport.FramedConnection;
import org.sipadapter.transport.TlsContext;

class TcpEmulatorTlsTest {
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private static TcpEmulator echo() {
    return new TcpEmulator(
        "tls-echo", FrameSplitter.lines(), session -> (s, frame) -> s.send(frame.bytes()));
  }

  /** Whole lines, as text, for the client side. */
  private static final class Lines implements FrameDecoder<String> {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public void decode(ByteBuffer in, FrameSink<String> sink) {
      while (in.hasRemaining()) {
        char c = (char) in.get();
        if (c == '\n') {
          sink.frame(partial.toString());
          partial.setLength(0);
        } else {
          partial.append(c);
        }
      }
    }

    @Override
    public void reset() {
      partial.setLength(0);
    }
  }

  private FramedConnection<String> connect(TcpEmulator emulator) {
    return FramedConnection.open(
        new FramedConnection.Endpoint(
            "client",
            emulator.host(),
            emulator.port(),
            TlsContext.create(TestCertificates.trustingTestCertificates()),
            Duration.ofSeconds(5)),
        new Lines(),
        new FramedConnection.Listener<>() {
          @Override
          public void onFrame(String frame) {
            lines.add(frame);
          }

          @Override
          public void onClosed(Throwable cause) {}
        });
  }

  @Test
  void servesFramesOverTlsWithTheTestCertificate() {
    try (TcpEmulator emulator = echo().tls(TestCertificates.serverContext()).start();
        FramedConnection<String> c = connect(emulator)) {
      c.send("over tls\n".getBytes(StandardCharsets.US_ASCII));

      await().atMost(Duration.ofSeconds(60)).until(() -> lines.contains("over tls"));
      assertThat(emulator.isTls()).isTrue();
      assertThat(emulator.receivedFrames()).hasSize(1);
    }
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateIsRefusedWithoutAHandlerError() {
    try (TcpEmulator emulator = echo().tls(TestCertificates.strangerContext()).start()) {
      assertThatThrownBy(() -> connect(emulator))
          .isInstanceOf(AdapterConnectionException.class)
          .hasMessageContaining("not trusted");
      assertThat(emulator.handlerErrors()).isEmpty();
    }
  }

  @Test
  void tlsCannotBeSwitchedOnAfterStart() {
    try (TcpEmulator emulator = echo().start()) {
      assertThatThrownBy(() -> emulator.tls(TestCertificates.serverContext()))
          .isInstanceOf(IllegalStateException.class);
    }
  }
}
