package org.sipadapter.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.sipadapter.CallDirection;
import org.sipadapter.CallRecord;
import org.sipadapter.CallState;
import org.sipadapter.ConnectionState;
import org.sipadapter.Disposition;
import org.sipadapter.HangupCause;
import org.sipadapter.event.AdapterError;
import org.sipadapter.event.ConnectionStateChanged;
import org.sipadapter.event.IncomingCall;
import org.sipadapter.event.ServerEvent;

/** The JSON the publisher writes is what message-schema-v1.json (docs/kafka.md) describes. */
class EventSchemaTest {

  private static final String ID = "0123456789ab";

  private static JsonNode schemaTree() throws Exception {
    try (InputStream in = EventSchema.class.getResourceAsStream("message-schema-v1.json")) {
      return EventSchema.JSON.readTree(in);
    }
  }

  private static JsonSchema schema() throws Exception {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaTree());
  }

  /** One message of every type, with and without the optional values. */
  private static List<String> everyKindOfMessage() {
    Instant t = Events.T0;
    List<String> out = new ArrayList<>();
    out.add(EventSchema.event(Events.state(1, null, CallState.DIALING), ID, UUID.randomUUID()));
    out.add(
        EventSchema.event(
            Events.state(1, CallState.CONNECTED, CallState.DISCONNECTED), ID, UUID.randomUUID()));
    out.add(EventSchema.event(Events.dtmf(1, "#"), ID, UUID.randomUUID()));
    out.add(
        EventSchema.event(
            new IncomingCall(
                "pbx1", "asterisk", t, Events.callId(2), "1000", "2000", Map.of("uniqueid", "1.2")),
            ID,
            UUID.randomUUID()));
    out.add(
        EventSchema.event(
            new ConnectionStateChanged(
                "pbx1",
                "asterisk",
                t,
                ConnectionState.CONNECTING,
                ConnectionState.CONNECTED,
                "logged in"),
            ID,
            UUID.randomUUID()));
    out.add(
        EventSchema.event(
            new AdapterError(
                "pbx1", "asterisk", t, null, "login refused", new IllegalStateException()),
            ID,
            UUID.randomUUID()));
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("Event", "PeerStatus");
    fields.put("Peer", "PJSIP/2000");
    out.add(
        EventSchema.event(
            new ServerEvent("pbx1", "asterisk", t, null, "PeerStatus", fields),
            ID,
            UUID.randomUUID()));
    out.add(EventSchema.record(Events.record(3), ID, UUID.randomUUID()));
    out.add(
        EventSchema.record(
            new CallRecord(
                Events.callId(4),
                "pbx1",
                "asterisk",
                CallDirection.INBOUND,
                "1000",
                "2000",
                t,
                null,
                t.plusSeconds(30),
                CallState.FAILED,
                HangupCause.NO_ANSWER,
                Disposition.NO_ANSWER,
                Map.of()),
            ID,
            UUID.randomUUID()));
    return out;
  }

  @Test
  void everyKindOfMessageIsValidAgainstThePublishedSchema() throws Exception {
    JsonSchema schema = schema();
    Set<String> types = new HashSet<>();
    for (String json : everyKindOfMessage()) {
      JsonNode n = EventSchema.JSON.readTree(json);
      assertThat(schema.validate(n)).as(json).isEmpty();
      types.add(n.path("type").asText());
    }
    assertThat(types)
        .containsExactlyInAnyOrder(
            "CallStateChanged",
            "IncomingCall",
            "DtmfReceived",
            "ConnectionStateChanged",
            "AdapterError",
            "ServerEvent",
            "CallRecord");
  }

  @Test
  void everyFieldWrittenIsDeclaredInTheSchemaOfItsType() throws Exception {
    JsonNode tree = schemaTree();
    for (String json : everyKindOfMessage()) {
      JsonNode n = EventSchema.JSON.readTree(json);
      Set<String> declared = new HashSet<>();
      tree.path("properties").fieldNames().forEachRemaining(declared::add);
      tree.path("$defs")
          .path(n.path("type").asText())
          .path("properties")
          .fieldNames()
          .forEachRemaining(declared::add);
      List<String> written = new ArrayList<>();
      n.fieldNames().forEachRemaining(written::add);
      assertThat(declared).as(json).containsAll(written);
    }
  }

  @Test
  void theSchemaIsTheVersionThePublisherWritesAndRefusesAnIncompleteMessage() throws Exception {
    assertThat(schemaTree().path("properties").path("schema").path("const").asInt())
        .isEqualTo(EventSchema.VERSION);
    ObjectNode n =
        (ObjectNode)
            EventSchema.JSON.readTree(
                EventSchema.event(
                    Events.state(1, CallState.CONNECTED, CallState.DISCONNECTED),
                    ID,
                    UUID.randomUUID()));
    n.remove("terminal");
    assertThat(schema().validate(n)).isNotEmpty();
    n.put("terminal", true).put("state", "HUNG_UP");
    assertThat(schema().validate(n)).isNotEmpty();
  }
}
