package org.sipadapter.sipp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import org.sipadapter.CallStatus;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.testkit.tck.Destination;
import org.sipadapter.testkit.tck.SipAdapterConformanceSuite;
import org.sipadapter.testkit.tck.TckCapability;
import org.sipadapter.testkit.tck.TckFixture;

/**
 * The conformance suite against a SIPp agent run as its own process on loopback, with a bearer
 * token and the default settings, whose one-call runs call real SIPp user agent servers: one
 * answers, one is busy (486), one knows nobody (404), one rings forever. The agent is frozen with
 * SIGSTOP and thawed with SIGCONT for the stall checks, so it carries out late what it was sent
 * while frozen; the server's calls are its live runs. Two adapters on the one agent each see the
 * other's calls, as the agent reports every run to every client.
 */
class SippConformanceTest extends SipAdapterConformanceSuite {

  @Override
  protected TckFixture createFixture() {
    return new SippTckFixture();
  }

  static final class SippTckFixture implements TckFixture {
    private static final String TOKEN = "tck-agent-token-0123456789";

    private final AgentProcess agent =
        AgentProcess.start(TOKEN, Path.of("target", "sipp-agent-conformance.log"));
    private final SippUasFixtures uas = new SippUasFixtures();
    private final HttpClient http = HttpClient.newHttpClient();

    @Override
    public SipAdapter createAdapter(AdapterConfig config) {
      return SipAdapters.create(config);
    }

    @Override
    public AdapterConfig config() {
      return AdapterConfig.builder("sipp")
          .name("sipp-tck")
          .server("127.0.0.1", agent.port())
          .auth("", TOKEN)
          .timeouts(
              new Timeouts(
                  Duration.ofSeconds(2),
                  Duration.ofSeconds(5),
                  Duration.ofSeconds(30),
                  Duration.ofSeconds(5)))
          .option("eventWait", "1s")
          .option("target", "127.0.0.1:" + uas.answer.port())
          // The late-answer check needs an agent that carries out, once thawed, the start request
          // of a call that timed out. With deadlines on (the default) the agent refuses such a
          // request instead (SippAdapterTest covers that); here the check proves the other
          // guarantee: a run the agent starts late is recognised by its marker and hung up.
          .option("requestDeadline", "false")
          .build();
    }

    @Override
    public Optional<AdapterConfig> configWithWrongCredentials() {
      return Optional.of(config().toBuilder().auth("", "not-the-token-0123456789").build());
    }

    @Override
    public Set<TckCapability> capabilities() {
      return EnumSet.of(
          TckCapability.FAULT_PROXY,
          TckCapability.REMOTE_HANGUP,
          TckCapability.STALL,
          TckCapability.LATE_ANSWER,
          TckCapability.SECOND_CLIENT);
    }

    @Override
    public void stallServer() {
      agent.freeze();
    }

    @Override
    public void resumeServer() {
      agent.thaw();
    }

    /** The agent's live runs: one per call the adapter placed. */
    @Override
    public OptionalInt serverCalls() {
      int live = 0;
      for (JsonNode run : get("/calls")) {
        if (!"ENDED".equals(run.path("state").asText())) {
          live++;
        }
      }
      return OptionalInt.of(live);
    }

    @Override
    public Optional<String> destination(Destination destination) {
      return Optional.of(
          switch (destination) {
            case ANSWERS -> SippUasFixtures.at("2000", uas.answer);
            case BUSY -> SippUasFixtures.at("2001", uas.busy);
            case UNKNOWN -> SippUasFixtures.at("2002", uas.notFound);
            case NO_ANSWER -> SippUasFixtures.at("2003", uas.noAnswer);
          });
    }

    /** Sends the BYE the far end would send to the SIPp run that carries the call. */
    @Override
    public void hangupOnServer(CallStatus call) {
      String runId = call.serverIds().get(SippAdapter.RUN_ID);
      JsonNode run = get("/calls/" + runId);
      JsonNode c = run.get("calls").get(0);
      int port = run.get("localPort").asInt();
      try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        String bye =
            "BYE sip:caller@127.0.0.1:"
                + port
                + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:"
                + socket.getLocalPort()
                + ";branch=z9hG4bK-tck-"
                + UUID.randomUUID()
                + "\r\n"
                + "From: "
                + c.get("remoteTo").asText()
                + "\r\n"
                + "To: "
                + c.get("from").asText()
                + "\r\n"
                + "Call-ID: "
                + c.get("callId").asText()
                + "\r\n"
                + "CSeq: 200 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
        byte[] bytes = bye.getBytes(StandardCharsets.ISO_8859_1);
        socket.send(
            new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public boolean isSharedThread(String threadName) {
      // OkHttp's pool threads outlive a client by design; "HttpClient-" threads are this fixture's
      // own JDK client (it asks the agent for its runs), whose idle workers linger for a minute.
      return threadName.startsWith("OkHttp") || threadName.startsWith("HttpClient-");
    }

    private JsonNode get(String path) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(agent.baseUri() + path))
                    .header("Authorization", "Bearer " + TOKEN)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(r.body());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      agent.close();
      uas.close();
    }
  }
}
