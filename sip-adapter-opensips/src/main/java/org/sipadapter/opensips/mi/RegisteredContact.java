package org.sipadapter.opensips.mi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One registered contact from the user location table ({@code ul_dump}).
 *
 * @param domain the usrloc domain (table), usually {@code location}
 * @param aor the address of record, e.g. {@code alice}
 * @param contact the contact URI
 * @param expiresSeconds seconds until it expires, as OpenSIPS reports it
 * @param callId the Call-ID of the REGISTER
 * @param userAgent the User-Agent header, empty if none
 * @param socket the OpenSIPS socket it registered through, e.g. {@code udp:127.0.0.1:5070}
 */
public record RegisteredContact(
    String domain,
    String aor,
    String contact,
    long expiresSeconds,
    String callId,
    String userAgent,
    String socket) {

  /** Reads every contact of a {@code ul_dump} result (AORs without contacts give none). */
  public static List<RegisteredContact> fromDump(JsonNode result) {
    List<RegisteredContact> out = new ArrayList<>();
    for (JsonNode d : result.path("Domains")) {
      String domain = d.path("name").asText("");
      for (JsonNode a : d.path("AORs")) {
        String aor = a.path("AOR").asText("");
        for (JsonNode c : a.path("Contacts")) {
          out.add(
              new RegisteredContact(
                  domain,
                  aor,
                  c.path("Contact").asText(""),
                  c.path("Expires").asLong(),
                  c.path("Callid").asText(""),
                  c.path("User-agent").asText(""),
                  c.path("Socket").asText("")));
        }
      }
    }
    return out;
  }
}
