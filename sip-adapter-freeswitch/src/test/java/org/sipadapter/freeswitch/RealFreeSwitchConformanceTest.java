package org.sipadapter.freeswitch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.sipadapter.CallStatus;
import org.sipadapter.SipAdapter;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.Timeouts;
import org.sipadapter.testkit.sipp.SippProcess;
import org.sipadapter.testkit.sipp.UasScenario;
import org.sipadapter.testkit.tck.Destination;
import org.sipadapter.testkit.tck.SipAdapterConformanceSuite;
import org.sipadapter.testkit.tck.TckCapability;
import org.sipadapter.testkit.tck.TckFixture;

/**
 * The conformance suite against a real FreeSWITCH ({@link RealFreeSwitch}) on its stock
 * configuration: answered calls go out of the {@code internal} SIP profile to a SIPp phone that
 * rings for 300 ms then answers (a SIP endpoint, so hold works), transfers go to the dialplan's
 * {@code 3000} in context {@code sdk}, inbound calls come from a SIPp caller into the {@code
 * external} profile, a second ESL client hangs calls up on the server, and the server is frozen
 * with SIGSTOP for the stall test. Busy, unknown and unanswered numbers are checked through the
 * default loopback endpoint in {@link RealFreeSwitchLoopbackTest}. Skipped unless {@code
 * -Dsipadapter.freeswitch.home} or {@code FREESWITCH_HOME} names an installed FreeSWITCH.
 */
@ExtendWith(RealFreeSwitch.Available.class)
class RealFreeSwitchConformanceTest extends SipAdapterConformanceSuite {

  /** Where a failed test's server and phone logs are kept, relative to the module directory. */
  static final Path KEPT_LOGS = Path.of("target", "real-freeswitch-logs");

  private Fixture current;

  @RegisterExtension
  final TestWatcher keepLogsOnFailure =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          if (current != null) {
            current.keepLogs(
                context.getRequiredTestMethod().getName() + "-" + System.currentTimeMillis());
          }
        }
      };

  @Override
  protected TckFixture createFixture() throws Exception {
    SippProcess phone =
        SippProcess.uas(UasScenario.RING_THEN_ANSWER).ringDelay(Duration.ofMillis(300)).start();
    try {
      current = new Fixture(new RealFreeSwitch(), phone);
      return current;
    } catch (Exception e) {
      phone.close();
      throw e;
    }
  }

  @Override
  protected Duration eventTimeout() {
    return Duration.ofSeconds(30);
  }

  private static final class Fixture implements TckFixture {
    private final RealFreeSwitch fs;
    private final SippProcess phone;
    private final List<SippProcess> callers = new ArrayList<>();

    Fixture(RealFreeSwitch fs, SippProcess phone) {
      this.fs = fs;
      this.phone = phone;
    }

    @Override
    public SipAdapter createAdapter(AdapterConfig config) {
      return new FreeSwitchAdapter(config);
    }

    @Override
    public AdapterConfig config() {
      return config(fs.password);
    }

    private AdapterConfig config(String password) {
      return AdapterConfig.builder(FreeSwitchAdapter.TYPE)
          .name("real-fs")
          .server(fs.host(), fs.eslPort)
          .auth("", password)
          .option("endpoint", "sofia/internal/{to}@127.0.0.1:" + phone.port())
          .option("context", "sdk")
          .timeouts(
              new Timeouts(
                  Duration.ofSeconds(5),
                  Duration.ofSeconds(5),
                  Duration.ofSeconds(30),
                  Duration.ofSeconds(30)))
          .build();
    }

    @Override
    public Optional<AdapterConfig> configWithWrongCredentials() {
      return Optional.of(config("Wrong-Password"));
    }

    @Override
    public Set<TckCapability> capabilities() {
      return Set.of(
          TckCapability.FAULT_PROXY,
          TckCapability.REMOTE_HANGUP,
          TckCapability.INBOUND_CALL,
          TckCapability.STALL,
          TckCapability.SECOND_CLIENT);
    }

    @Override
    public Optional<String> destination(Destination destination) {
      return destination == Destination.ANSWERS ? Optional.of("2000") : Optional.empty();
    }

    @Override
    public void hangupOnServer(CallStatus call) {
      fs.api("uuid_kill " + call.serverIds().get(FreeSwitchAdapter.UUID_KEY) + " NORMAL_CLEARING");
    }

    @Override
    public void triggerInboundCall(String from, String to) {
      callers.add(
          SippProcess.uac(fs.host(), fs.externalSipPort)
              .scenarioResource("/org/sipadapter/testkit/sipp/uac-caller.xml")
              .service(to)
              .extraArgs("-key", "caller", from)
              .calls(1)
              .start());
    }

    @Override
    public void stallServer() {
      fs.freeze();
    }

    @Override
    public void resumeServer() {
      fs.thaw();
    }

    @Override
    public Optional<String> transferTarget() {
      return Optional.of("3000");
    }

    /** Copies the server's log and the phone's files under {@link #KEPT_LOGS} and says where. */
    void keepLogs(String name) {
      Path dir = KEPT_LOGS.resolve(name).toAbsolutePath();
      try {
        fs.keepLogs(dir);
        Path phoneDir = dir.resolve("sipp-phone");
        Files.createDirectories(phoneDir);
        try (Stream<Path> files = Files.list(phone.workDir())) {
          for (Path f : (Iterable<Path>) files::iterator) {
            if (Files.isRegularFile(f)) {
              Files.copy(f, phoneDir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
          }
        }
        System.err.println(
            "FreeSWITCH and SIPp phone logs kept in "
                + dir
                + "; FreeSWITCH log tail:\n"
                + fs.logTail());
      } catch (IOException | RuntimeException e) {
        System.err.println("could not keep the logs in " + dir + ": " + e);
      }
    }

    @Override
    public void close() throws Exception {
      callers.forEach(SippProcess::close);
      fs.close();
      phone.close();
    }
  }
}
