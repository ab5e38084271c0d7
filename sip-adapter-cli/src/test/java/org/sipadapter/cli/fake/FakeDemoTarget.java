package org.sipadapter.cli.fake;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.sipadapter.cli.demo.DemoCall;
import org.sipadapter.cli.demo.DemoServer;
import org.sipadapter.cli.demo.DemoTarget;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;

/** Runs the demo script on a {@link FakeServer}. */
public final class FakeDemoTarget implements DemoTarget {
  private final boolean hangupsUnreported;

  /** A target whose server reports every call's end (the one the service file registers). */
  public FakeDemoTarget() {
    this(false);
  }

  private FakeDemoTarget(boolean hangupsUnreported) {
    this.hangupsUnreported = hangupsUnreported;
  }

  /**
   * A target whose server takes hangups but never reports the end, so core ends those calls itself
   * after {@code timeouts.request}.
   */
  public static FakeDemoTarget withUnreportedHangups() {
    return new FakeDemoTarget(true);
  }

  @Override
  public String adapterType() {
    return "fake";
  }

  @Override
  public int order() {
    return 0;
  }

  @Override
  public Optional<String> unavailableReason() {
    return Optional.empty();
  }

  @Override
  public DemoServer start() {
    FakeServer server = FakeServer.start("demo", "demo-secret");
    if (hangupsUnreported) {
      server.acceptHangupsWithoutEvent();
    }
    return new DemoServer() {
      @Override
      public AdapterConfig config() {
        AdapterConfig.Builder b =
            AdapterConfig.builder("fake")
                .server("127.0.0.1", server.port())
                .auth("demo", "demo-secret");
        if (hangupsUnreported) {
          // Core waits timeouts.request for the end event before ending the call itself.
          b.timeouts(
              new Timeouts(
                  Duration.ofSeconds(5),
                  Duration.ofMillis(300),
                  Duration.ofSeconds(60),
                  Duration.ofSeconds(30)));
        }
        return b.build();
      }

      @Override
      public String description() {
        return "emulated fake server";
      }

      @Override
      public List<DemoCall> calls() {
        return List.of(DemoCall.answered("1000", "2000"), DemoCall.busy("1000", "busy"));
      }

      @Override
      public void close() {
        server.close();
      }
    };
  }
}
