/**
 * The OkHttp transport of core's JSON-RPC client. Plumbing shared by the adapters that speak HTTP,
 * so its package is exported only to them.
 */
module org.sipadapter.http {
  requires transitive org.sipadapter.core;
  requires transitive okhttp3;
  requires org.slf4j;
  requires okio;
  requires java.net.http;

  exports org.sipadapter.http to
      org.sipadapter.kamailio,
      org.sipadapter.opensips,
      org.sipadapter.sipp;

  // Only for the tests, which serve HTTP with the JDK's server.
  requires static jdk.httpserver;
}
