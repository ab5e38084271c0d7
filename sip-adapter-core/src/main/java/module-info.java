/**
 * The sip-adapter API: {@link org.sipadapter.SipAdapter}, its events, config and values, and the
 * interfaces adapters implement.
 *
 * <p>Exported to everyone: {@code org.sipadapter} (the API), {@code org.sipadapter.config}, {@code
 * org.sipadapter.event}, and {@code org.sipadapter.spi}, the driver SPI, public so that adapters
 * outside this project are written the way the project's own are. The shared transport and call
 * tracking are exported only to the project's modules that use them; the event dispatcher and the
 * metrics counters are not exported at all, and core's pieces (call registry, state machine,
 * watchdog, request tracker, health evaluator) are package-private.
 */
module org.sipadapter.core {
  requires java.net.http;
  requires org.slf4j;
  requires com.fasterxml.jackson.databind;
  requires org.yaml.snakeyaml;

  exports org.sipadapter;
  exports org.sipadapter.config;
  exports org.sipadapter.event;
  exports org.sipadapter.spi;
  exports org.sipadapter.transport to
      org.sipadapter.http,
      org.sipadapter.asterisk,
      org.sipadapter.freeswitch,
      org.sipadapter.kamailio,
      org.sipadapter.opensips,
      org.sipadapter.yate,
      org.sipadapter.sipp,
      org.sipadapter.pjsua,
      org.sipadapter.cli,
      org.sipadapter.benchmarks,
      org.sipadapter.testkit;
  exports org.sipadapter.tracking to
      org.sipadapter.kamailio,
      org.sipadapter.opensips;

  uses org.sipadapter.SipAdapterProvider;
}
