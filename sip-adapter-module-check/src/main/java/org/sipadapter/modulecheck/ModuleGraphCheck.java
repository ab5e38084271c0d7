package org.sipadapter.modulecheck;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.sipadapter.ConnectionState;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterProvider;
import org.sipadapter.SipAdapters;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.kafka.CallStateView;
import org.sipadapter.kafka.KafkaEventPublisher;
import org.sipadapter.kafka.KafkaSinkSettings;
import org.sipadapter.kafka.KafkaSinkYaml;
import org.sipadapter.micrometer.SipAdapterMetrics;
import org.sipadapter.testkit.ami.AmiEmulator;

/**
 * Runs on the module path and checks what a modular application relies on: every module is named
 * and resolved, every adapter's provider is found through {@link ServiceLoader} in its own module,
 * {@link SipAdapters} creates each adapter, the Micrometer binder binds one, an adapter connects to
 * the testkit's AMI emulator and its events go through the Kafka publisher into a call state view,
 * and the protocol internals are not exported. Prints one line per fact and exits 1 if any failed.
 */
public final class ModuleGraphCheck {
  /** Adapter type to the module that must provide it. */
  private static final Map<String, String> PROVIDERS =
      Map.of(
          "asterisk", "org.sipadapter.asterisk",
          "freeswitch", "org.sipadapter.freeswitch",
          "kamailio", "org.sipadapter.kamailio",
          "opensips", "org.sipadapter.opensips",
          "yate", "org.sipadapter.yate",
          "pjsua", "org.sipadapter.pjsua",
          "sipp", "org.sipadapter.sipp");

  /** Packages that must stay inside their module. */
  private static final Map<String, List<String>> INTERNAL =
      Map.of(
          "org.sipadapter.core",
          List.of("org.sipadapter.dispatch", "org.sipadapter.metrics"),
          "org.sipadapter.asterisk",
          List.of("org.sipadapter.asterisk.ami"),
          "org.sipadapter.freeswitch",
          List.of("org.sipadapter.freeswitch.esl"),
          "org.sipadapter.kamailio",
          List.of("org.sipadapter.kamailio.evapi"),
          "org.sipadapter.opensips",
          List.of("org.sipadapter.opensips.event"),
          "org.sipadapter.yate",
          List.of("org.sipadapter.yate.rmanager"),
          "org.sipadapter.sipp",
          List.of("org.sipadapter.sipp.agent"));

  private ModuleGraphCheck() {}

  /**
   * Runs the checks.
   *
   * @param args none
   */
  public static void main(String[] args) {
    List<String> failures = new ArrayList<>();
    Module self = ModuleGraphCheck.class.getModule();
    check(failures, self.isNamed(), "this check runs as module " + self.getName());

    for (String module :
        List.of(
            "org.sipadapter.core",
            "org.sipadapter.http",
            "org.sipadapter.kafka",
            "org.sipadapter.spring.boot",
            "spring.boot.autoconfigure",
            "pjsua2")) {
      check(
          failures,
          ModuleLayer.boot().findModule(module).isPresent(),
          "module " + module + " is resolved");
    }

    Map<String, String> found = new TreeMap<>();
    for (SipAdapterProvider p : ServiceLoader.load(SipAdapterProvider.class)) {
      found.put(p.type(), p.getClass().getModule().getName());
    }
    PROVIDERS.forEach(
        (type, module) ->
            check(
                failures,
                module.equals(found.get(type)),
                "provider of '" + type + "' found in module " + found.get(type)));
    check(
        failures,
        SipAdapters.availableTypes().containsAll(PROVIDERS.keySet()),
        "SipAdapters sees " + SipAdapters.availableTypes());

    Module starter = ModuleLayer.boot().findModule("org.sipadapter.spring.boot").orElseThrow();
    check(
        failures,
        starter.isOpen(
            "org.sipadapter.spring.boot",
            ModuleLayer.boot().findModule("spring.core").orElseThrow()),
        "the starter's package is open to Spring");
    INTERNAL.forEach(
        (module, packages) -> {
          Module m = ModuleLayer.boot().findModule(module).orElseThrow();
          for (String pkg : packages) {
            check(failures, !m.isExported(pkg, self), pkg + " is not exported to applications");
          }
        });

    for (String type : List.of("asterisk", "freeswitch", "yate", "kamailio", "opensips")) {
      try (SipAdapter adapter = SipAdapters.create(AdapterConfig.builder(type).build())) {
        check(
            failures,
            adapter.getClass().getModule().getName().equals(PROVIDERS.get(type)),
            "SipAdapters.create made " + adapter.getClass().getName() + " (" + type + ")");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SipAdapterMetrics metrics = SipAdapterMetrics.of(adapter)) {
          metrics.bindTo(registry);
          check(
              failures,
              registry.find("sipadapter.calls.attempted").tag("type", type).functionCounter()
                  != null,
              "the Micrometer binder registered the meters of " + type);
        }
      }
    }

    KafkaSinkSettings kafka =
        KafkaSinkYaml.load("sinks: { kafka: { bootstrap: 'localhost:9092' } }", name -> null);
    CountDownLatch sent = new CountDownLatch(1);
    MockProducer<String, String> producer =
        new MockProducer<>(true, null, new StringSerializer(), new StringSerializer()) {
          @Override
          public synchronized Future<RecordMetadata> send(
              ProducerRecord<String, String> record, Callback callback) {
            Future<RecordMetadata> f = super.send(record, callback);
            sent.countDown();
            return f;
          }
        };
    try (AmiEmulator ami = AmiEmulator.create().start();
        KafkaEventPublisher publisher = new KafkaEventPublisher(kafka, producer);
        SipAdapter pbx =
            SipAdapters.create(
                AdapterConfig.builder("asterisk")
                    .server(ami.host(), ami.port())
                    .auth("admin", "amipass")
                    .build())) {
      publisher.attach(pbx);
      pbx.connect();
      check(
          failures,
          pbx.connectionState() == ConnectionState.CONNECTED,
          "the asterisk adapter connected to the AMI emulator: " + pbx.connectionState());
      boolean published = sent.await(30, TimeUnit.SECONDS);
      check(failures, published, "the Kafka publisher sent the adapter's events as JSON");
      if (published) {
        try (CallStateView view = new CallStateView(new MockConsumer<>("earliest"), 10, 100)) {
          check(
              failures,
              view.apply(producer.history().get(0).value()) && view.malformed() == 0,
              "a call state view read what the publisher sent");
        }
      }
    } catch (RuntimeException | InterruptedException e) {
      check(failures, false, "the asterisk adapter connected and its events were published: " + e);
    }

    if (!failures.isEmpty()) {
      System.out.println("module check FAILED: " + failures);
      System.exit(1);
    }
    System.out.println("module check passed");
  }

  private static void check(List<String> failures, boolean ok, String fact) {
    System.out.println((ok ? "ok    " : "FAIL  ") + fact);
    if (!ok) {
      failures.add(fact);
    }
  }
}
