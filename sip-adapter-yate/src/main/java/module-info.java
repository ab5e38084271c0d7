/**
 * The Yate adapter (extmodule and rmanager). Exports the adapter and its settings; the extmodule
 * and rmanager codecs stay inside the module.
 */
module org.sipadapter.yate {
  requires transitive org.sipadapter.core;
  requires org.slf4j;

  exports org.sipadapter.yate;

  provides org.sipadapter.SipAdapterProvider with
      org.sipadapter.yate.YateAdapterProvider;
}
