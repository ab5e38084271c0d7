/**
 * The SIPp adapter and the SIPp agent. Exports the adapter, its settings and its load-test values;
 * the agent ({@code org.sipadapter.sipp.agent}) is run as its own jar or embedded by the adapter,
 * and stays inside the module (open to Jackson, which reads and writes its JSON).
 */
module org.sipadapter.sipp {
  requires transitive org.sipadapter.core;
  requires org.sipadapter.http;
  requires okhttp3;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.annotation;
  requires org.slf4j;
  requires java.net.http;
  requires java.xml;
  requires jdk.httpserver;

  exports org.sipadapter.sipp;

  opens org.sipadapter.sipp.agent to
      com.fasterxml.jackson.databind;

  provides org.sipadapter.SipAdapterProvider with
      org.sipadapter.sipp.SippAdapterProvider;
}
