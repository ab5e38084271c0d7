/**
 * The OpenSIPS adapter (Management Interface and event datagrams). Exports the adapter and its
 * settings; the dialog model, the event stream and the MI client stay inside the module.
 */
module org.sipadapter.opensips {
  requires transitive org.sipadapter.core;
  requires org.sipadapter.http;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires java.net.http;

  exports org.sipadapter.opensips;

  provides org.sipadapter.SipAdapterProvider with
      org.sipadapter.opensips.OpenSipsAdapterProvider;

  // Only for the tests, which serve HTTP with the JDK's server.
  requires static jdk.httpserver;
}
