/**
 * The Kamailio adapter (JSON-RPC and evapi). Exports the adapter and its settings; the dialog
 * model, the evapi codec and the RPC client stay inside the module.
 */
module org.sipadapter.kamailio {
  requires transitive org.sipadapter.core;
  requires org.sipadapter.http;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires java.net.http;

  exports org.sipadapter.kamailio;

  provides org.sipadapter.SipAdapterProvider with
      org.sipadapter.kamailio.KamailioAdapterProvider;
}
