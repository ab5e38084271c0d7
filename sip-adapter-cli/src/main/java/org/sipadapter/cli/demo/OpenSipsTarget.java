package org.sipadapter.cli.demo;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.sipadapter.CallState;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.testkit.opensips.OpenSipsEmulator;

/**
 * OpenSIPS through the testkit's Management Interface emulator, started in this process. OpenSIPS
 * is a proxy and the adapter places no calls, so the calls start on the emulator as dialogs from
 * outside: each rings until the adapter reports it as incoming, then the emulator answers it (and
 * the adapter hangs it up with {@code dlg_end_dlg}) or, for the busy one, ends it unanswered.
 */
public final class OpenSipsTarget implements DemoTarget {

  /** Creates the target. */
  public OpenSipsTarget() {}

  @Override
  public String adapterType() {
    return "opensips";
  }

  @Override
  public int order() {
    return 35;
  }

  @Override
  public Optional<String> unavailableReason() {
    return Unavailable.ifNoAdapter("opensips");
  }

  @Override
  public DemoServer start() {
    OpenSipsEmulator mi = new OpenSipsEmulator().start();
    Map<DemoCall, String> dialogs = new ConcurrentHashMap<>();
    return new DemoServer() {
      @Override
      public AdapterConfig config() {
        return AdapterConfig.builder("opensips")
            .name("opensips")
            .server(mi.host(), mi.port())
            // A free port for the event_datagram/event_stream subscription the adapter opens.
            .option("eventPort", 0)
            .build();
      }

      @Override
      public String description() {
        return "emulated (MI)";
      }

      @Override
      public String details() {
        return "on " + mi.url() + ", in this process";
      }

      @Override
      public List<DemoCall> calls() {
        return List.of(
            DemoCall.inboundAnswered(uri(DemoNumbers.CALLER), uri(DemoNumbers.ANSWER)),
            new DemoCall(
                "busy destination",
                uri(DemoNumbers.CALLER),
                uri(DemoNumbers.BUSY),
                true,
                false,
                CallState.FAILED));
      }

      @Override
      public void startInboundCall(DemoCall call) {
        dialogs.put(call, mi.startDialog(call.from(), call.to()));
      }

      @Override
      public void inboundCallSeen(DemoCall call) {
        String dialog = dialogs.remove(call);
        if (call.talk()) {
          mi.answer(dialog);
        } else {
          // The destination refuses (486 relayed): the dialog ends before it is answered.
          mi.endDialog(dialog);
        }
      }

      @Override
      public void close() {
        mi.close();
      }
    };
  }

  private static String uri(String user) {
    return "sip:" + user + "@127.0.0.1";
  }
}
