/** A modular application that uses every published sip-adapter module; see the pom. */
module org.sipadapter.modulecheck {
  requires org.sipadapter.core;
  requires org.sipadapter.http;
  requires org.sipadapter.asterisk;
  requires org.sipadapter.freeswitch;
  requires org.sipadapter.kamailio;
  requires org.sipadapter.opensips;
  requires org.sipadapter.yate;
  requires org.sipadapter.pjsua;
  requires org.sipadapter.sipp;
  requires org.sipadapter.micrometer;
  requires org.sipadapter.kafka;
  requires org.sipadapter.spring.boot;
  requires org.sipadapter.testkit;
  requires micrometer.core;

  uses org.sipadapter.SipAdapterProvider;
}
