package org.sipadapter.cli.fake;

import java.util.List;
import java.util.Optional;
import org.sipadapter.cli.demo.DemoCall;
import org.sipadapter.cli.demo.DemoServer;
import org.sipadapter.cli.demo.DemoTarget;
import org.sipadapter.config.AdapterConfig;

/** Runs the demo script on a {@link FakeServer}. */
public final class FakeDemoTarget implements DemoTarget {
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
    return new DemoServer() {
      @Override
      public AdapterConfig config() {
        return AdapterConfig.builder("fake")
            .server("127.0.0.1", server.port())
            .auth("demo", "demo-secret")
            .build();
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
