/**
 * The FreeSWITCH adapter (event socket). Exports the adapter and its settings; the ESL codec
 * ({@code org.sipadapter.freeswitch.esl}) stays inside the module.
 */
module org.sipadapter.freeswitch {
  requires transitive org.sipadapter.core;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports org.sipadapter.freeswitch;

  provides org.sipadapter.SipAdapterProvider with
      org.sipadapter.freeswitch.FreeSwitchAdapterProvider;
}
