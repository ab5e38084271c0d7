/**
 * The sip-adapter testkit: the conformance suite, protocol emulators, a fault-injecting proxy and
 * real-server fixtures. Every package is exported.
 *
 * <p>The test libraries are optional ({@code requires static}): the conformance suite needs JUnit,
 * AssertJ and Awaitility, the containers need Testcontainers, the suite's log check Logback, and a
 * test run has them all; the emulators and the in-memory user agent need none of them.
 * Testcontainers and Awaitility publish no module name, so they are named after their jar files.
 */
module org.sipadapter.testkit {
  requires transitive org.sipadapter.core;
  requires static org.junit.jupiter.api;
  requires static org.assertj.core;
  requires static awaitility;
  requires static testcontainers;
  requires static com.github.dockerjava.api;
  requires static ch.qos.logback.classic;
  requires static ch.qos.logback.core;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires java.net.http;
  requires jdk.httpserver;
  requires java.management;

  exports org.sipadapter.testkit.ami;
  exports org.sipadapter.testkit.asterisk;
  exports org.sipadapter.testkit.containers;
  exports org.sipadapter.testkit.emulator;
  exports org.sipadapter.testkit.esl;
  exports org.sipadapter.testkit.fixtures;
  exports org.sipadapter.testkit.kamailio;
  exports org.sipadapter.testkit.net;
  exports org.sipadapter.testkit.opensips;
  exports org.sipadapter.testkit.pjsua;
  exports org.sipadapter.testkit.sipp;
  exports org.sipadapter.testkit.tck;
  exports org.sipadapter.testkit.tls;
  exports org.sipadapter.testkit.yate;

  opens org.sipadapter.testkit.containers to
      org.junit.platform.commons;
  opens org.sipadapter.testkit.asterisk to
      org.junit.platform.commons;
}
