package org.sipadapter.transport;

import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.sipadapter.config.Secret;
import org.sipadapter.config.TlsSettings;

/**
 * The self-signed test certificates under {@code src/test/resources/tls}, made by {@code
 * scripts/generate-test-certificates.sh} (100-year validity): {@code server} names localhost and
 * 127.0.0.1 and is in the trust store, {@code wronghost} is trusted but names another host, {@code
 * stranger} names localhost but nobody trusts it.
 */
public final class TestCertificates {
  /** The password of every test store. */
  public static final String PASSWORD = "sip-adapter-test";

  private TestCertificates() {}

  /** Returns the path of a store in the test resources, such as {@code truststore.p12}. */
  public static Path store(String fileName) {
    try {
      return Path.of(TestCertificates.class.getResource("/tls/" + fileName).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** TLS settings that trust the test trust store. */
  public static TlsSettings trustingTestCa() {
    return TlsSettings.trustStore(store("truststore.p12"), Secret.of(PASSWORD), "PKCS12");
  }

  /** A server-side SSL context presenting the key in {@code fileName}. */
  public static SSLContext serverContext(String fileName) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store(fileName))) {
      ks.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD.toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }
}
