package org.sipadapter.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.sipadapter.HealthReport;
import org.sipadapter.HealthStatus;
import org.sipadapter.MetricsSnapshot;
import org.sipadapter.SipAdapter;
import picocli.CommandLine.Command;

/** {@code sipadapter health}: connects and prints each server's health report as JSON. */
@Command(
    mixinStandardHelpOptions = true,
    name = "health",
    sortOptions = false,
    description = {
      "Connect to each server and print its health report as JSON: status, reasons, server"
          + " version, latency and the server's own facts.",
      "An unreachable server is reported CRITICAL with the reason; the exit code is 0 only when"
          + " every adapter is HEALTHY."
    })
final class HealthCommand extends ServerCommand {

  @Override
  int run(Adapters adapters, Console console) throws Exception {
    Map<String, RuntimeException> failures = adapters.connectEach();
    ObjectNode root = EventText.mapper().createObjectNode();
    ArrayNode list = EventText.mapper().createArrayNode();
    HealthStatus worst = HealthStatus.HEALTHY;
    for (SipAdapter a : adapters.list()) {
      HealthReport h = a.healthCheck();
      if (h.status().ordinal() > worst.ordinal()) {
        worst = h.status();
      }
      ObjectNode n = list.addObject();
      n.put("adapter", h.adapterName());
      n.put("type", h.adapterType());
      n.put("host", a.config().host());
      n.put("port", a.config().port());
      n.put("status", h.status().name());
      n.put("connection", h.connectionState().name());
      RuntimeException f = failures.get(a.name());
      if (f != null) {
        n.put("error", f.getMessage());
      }
      n.put("serverVersion", h.serverVersion());
      n.put("successRate", h.successRate());
      n.put("avgLatencyMs", Math.round(h.avgLatencyMs() * 100) / 100.0);
      n.put("activeCalls", h.activeCalls());
      ArrayNode reasons = n.putArray("reasons");
      h.reasons().forEach(reasons::add);
      n.set("details", EventText.mapper().valueToTree(h.details()));
      MetricsSnapshot m = a.metrics();
      ObjectNode latency = n.putObject("requestLatencyMs");
      latency.put("count", m.requestLatency().count());
      latency.put("p50", m.requestLatency().p50Ms());
      latency.put("p99", m.requestLatency().p99Ms());
      latency.put("max", m.requestLatency().maxMs());
      n.put("checkedAt", h.checkedAt().toString());
    }
    root.put("status", worst.name());
    root.set("adapters", list);
    console.out(
        EventText.mapper()
            .copy()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(root));
    return worst == HealthStatus.HEALTHY ? ExitCodes.OK : ExitCodes.NOT_OK;
  }
}
