package org.sipadapter.cli.demo;

import java.util.List;
import java.util.Optional;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.pjsua.InMemoryUserAgentBackend;
import org.sipadapter.pjsua.PjsuaAdapter;
import org.sipadapter.testkit.pjsua.FakeUserAgent;

/**
 * pjsua2 on the testkit's in-memory user agent ({@link FakeUserAgent}), so no native library is
 * needed: the adapter runs its real logic against {@link InMemoryUserAgentBackend}. 2000 answers,
 * 3000 is busy. The user agent lives inside the adapter, so {@code demo --serve} cannot offer it to
 * the other commands.
 */
public final class PjsuaTarget implements DemoTarget {

  /** Creates the target. */
  public PjsuaTarget() {}

  @Override
  public String adapterType() {
    return PjsuaAdapter.TYPE;
  }

  @Override
  public int order() {
    return 28;
  }

  @Override
  public Optional<String> unavailableReason() {
    return Unavailable.ifNoAdapter(PjsuaAdapter.TYPE);
  }

  @Override
  public DemoServer start() {
    return new DemoServer() {
      @Override
      public AdapterConfig config() {
        return AdapterConfig.builder(PjsuaAdapter.TYPE)
            .name("pjsua")
            .server("127.0.0.1", PjsuaAdapter.DEFAULT_PORT)
            .build();
      }

      @Override
      public SipAdapter createAdapter() {
        return new PjsuaAdapter(
            config(),
            () ->
                new InMemoryUserAgentBackend(
                    new FakeUserAgent()
                        .route(DemoNumbers.ANSWER, FakeUserAgent.Outcome.ANSWER)
                        .route(DemoNumbers.BUSY, FakeUserAgent.Outcome.BUSY)));
      }

      @Override
      public boolean reachableFromConfig() {
        return false;
      }

      @Override
      public String description() {
        return "emulated pjsua2";
      }

      @Override
      public String details() {
        return "no native library, no network: the user agent runs inside the adapter";
      }

      @Override
      public List<DemoCall> calls() {
        return DemoNumbers.outboundCalls();
      }

      @Override
      public void close() {
        // The user agent is the adapter's backend and stops with it.
      }
    };
  }
}
