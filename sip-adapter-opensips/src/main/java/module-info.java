/**
 * The OpenSIPS adapter (Management Interface and event datagrams). Exports the adapter and its
 * settings, and the packages of the values its public methods return ({@code registeredContacts()},
 * {@code activeDialogStats()}, {@code serverDialog()}); the event stream stays inside the module.
 */
module org.sipadapter.opensips {
  requires transitive org.sipadapter.core;
  requires org.sipadapter.http;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires java.net.http;

  exports org.sipadapter.opensips;
  exports org.sipadapter.opensips.dialog;
  exports org.sipadapter.opensips.mi;

  provides org.sipadapter.SipAdapterProvider with
      org.sipadapter.opensips.OpenSipsAdapterProvider;

  // Only for the tests, which serve HTTP with the JDK's server.
  requires static jdk.httpserver;
}
