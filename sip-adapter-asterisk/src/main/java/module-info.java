/**
 * The Asterisk adapter (AMI). Exports the adapter and its settings; the AMI codec and connection
 * ({@code org.sipadapter.asterisk.ami}) stay inside the module.
 */
module org.sipadapter.asterisk {
  requires transitive org.sipadapter.core;
  requires org.slf4j;

  exports org.sipadapter.asterisk;

  provides org.sipadapter.SipAdapterProvider with
      org.sipadapter.asterisk.AsteriskAdapterProvider;
}
