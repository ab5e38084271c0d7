package org.sipadapter.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.TreeMap;
import org.sipadapter.CallStatus;
import org.sipadapter.SipAdapter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sipadapter calls}: lists the active calls of every server. */
@Command(
    mixinStandardHelpOptions = true,
    name = "calls",
    sortOptions = false,
    description = {
      "List the active calls on the servers: those the adapters find when they connect.",
      "Use a call's id or one of its server ids with 'sipadapter hangup'."
    })
final class CallsCommand extends ServerCommand {
  @Option(names = "--json", description = "Print one JSON object per call.")
  boolean json;

  @Mixin SettleOption settle;

  @Override
  int run(Adapters adapters, Console console) throws Exception {
    settle.connectAndSettle(adapters);
    Instant now = Instant.now();
    Table table =
        new Table("ADAPTER", "CALL ID", "DIR", "STATE", "FROM", "TO", "AGE", "SERVER IDS");
    int count = 0;
    for (SipAdapter a : adapters.list()) {
      for (CallStatus s : a.activeCalls()) {
        count++;
        if (json) {
          console.out(EventText.write(toJson(a, s)));
        } else {
          table.row(
              a.name(),
              s.callId(),
              s.direction().name().toLowerCase(),
              s.state().name(),
              s.from(),
              s.to(),
              age(Duration.between(s.createdAt(), now)),
              EventText.ids(s.serverIds()));
        }
      }
    }
    if (!json) {
      table.print(console);
      console.err(
          count
              + " active call"
              + (count == 1 ? "" : "s")
              + " on "
              + String.join(", ", adapters.names()));
    }
    return ExitCodes.OK;
  }

  private static ObjectNode toJson(SipAdapter a, CallStatus s) {
    ObjectNode n = EventText.mapper().createObjectNode();
    n.put("adapter", a.name());
    n.put("type", a.type());
    n.put("callId", s.callId());
    n.put("direction", s.direction().name());
    n.put("state", s.state().name());
    n.put("from", s.from());
    n.put("to", s.to());
    n.put("createdAt", s.createdAt().toString());
    n.put("answeredAt", s.answeredAt() == null ? null : s.answeredAt().toString());
    ObjectNode ids = n.putObject("serverIds");
    new TreeMap<>(s.serverIds()).forEach(ids::put);
    return n;
  }

  static String age(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m" + (s % 60) + "s";
    }
    return (s / 3600) + "h" + (s % 3600 / 60) + "m";
  }
}
