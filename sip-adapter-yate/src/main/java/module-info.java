/**
 * The Yate adapter (extmodule and rmanager). Exports the adapter and its settings, and the
 * extmodule package, whose {@code ExtFrame.MessageResult} {@code dispatch()} returns; the rmanager
 * client stays inside the module.
 */
module org.sipadapter.yate {
  requires transitive org.sipadapter.core;
  requires org.slf4j;

  exports org.sipadapter.yate;
  exports org.sipadapter.yate.extmodule;

  provides org.sipadapter.SipAdapterProvider with
      org.sipadapter.yate.YateAdapterProvider;
}
