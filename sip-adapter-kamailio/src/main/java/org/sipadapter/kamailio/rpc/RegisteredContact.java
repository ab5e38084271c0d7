package org.sipadapter.kamailio.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One registered contact from the user location table ({@code ul.dump}).
 *
 * @param domain the usrloc table, usually {@code location}
 * @param aor the address of record, e.g. {@code alice} or {@code alice@example.com}
 * @param address the contact URI
 * @param expires seconds until it expires as Kamailio reports it (text: a number, or {@code
 *     permanent}/{@code deleted})
 * @param callId the Call-ID of the REGISTER
 * @param userAgent the User-Agent header, empty if none
 * @param received the source address it was received from, empty if not NATed
 */
public record RegisteredContact(
    String domain,
    String aor,
    String address,
    String expires,
    String callId,
    String userAgent,
    String received) {

  /** Reads every contact of a {@code ul.dump} result. */
  public static List<RegisteredContact> fromDump(JsonNode result) {
    List<RegisteredContact> out = new ArrayList<>();
    for (JsonNode d : result.path("Domains")) {
      JsonNode domain = d.path("Domain");
      String name = domain.path("Domain").asText("");
      for (JsonNode a : domain.path("AoRs")) {
        JsonNode info = a.path("Info");
        String aor = info.path("AoR").asText("");
        for (JsonNode c : info.path("Contacts")) {
          JsonNode contact = c.path("Contact");
          out.add(
              new RegisteredContact(
                  name,
                  aor,
                  contact.path("Address").asText(""),
                  contact.path("Expires").asText(""),
                  contact.path("Call-ID").asText(""),
                  contact.path("User-Agent").asText(""),
                  contact.path("Received").asText("")));
        }
      }
    }
    return out;
  }
}
