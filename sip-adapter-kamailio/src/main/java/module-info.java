/**
 * The Kamailio adapter (JSON-RPC and evapi). Exports the adapter and its settings, and the packages
 * of the values its public methods return ({@code registeredContacts()}, {@code
 * activeDialogStats()}, {@code serverDialog()}); the evapi codec stays inside the module.
 */
module org.sipadapter.kamailio {
  requires transitive org.sipadapter.core;
  requires org.sipadapter.http;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires java.net.http;

  exports org.sipadapter.kamailio;
  exports org.sipadapter.kamailio.dialog;
  exports org.sipadapter.kamailio.rpc;

  provides org.sipadapter.SipAdapterProvider with
      org.sipadapter.kamailio.KamailioAdapterProvider;
}
