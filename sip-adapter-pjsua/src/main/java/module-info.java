/**
 * The pjsua2 adapter: a SIP user agent inside the application, on pjproject's Java binding.
 *
 * <p>{@code pjsua2} is the binding's module: the pjsua2.jar that pjproject builds is an automatic
 * module of that name (docs/pjsua.md). The testkit is needed only for {@link
 * org.sipadapter.pjsua.InMemoryUserAgentBackend}.
 */
module org.sipadapter.pjsua {
  requires transitive org.sipadapter.core;
  requires pjsua2;
  requires static org.sipadapter.testkit;
  requires org.slf4j;

  exports org.sipadapter.pjsua;

  provides org.sipadapter.SipAdapterProvider with
      org.sipadapter.pjsua.PjsuaAdapterProvider;
}
