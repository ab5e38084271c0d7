package org.sipadapter.testkit.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.sipadapter.config.Secret;
import org.sipadapter.config.TlsSettings;

/**
 * Self-signed certificates for TLS tests on loopback, so that emulators can serve TLS and adapters
 * can be configured to trust them. Made once by {@code scripts/generate-test-certificates.sh} with
 * the JDK's keytool (EC P-256, 100-year validity) and shipped as PKCS12 resources:
 *
 * <ul>
 *   <li>{@link #serverContext()}: a certificate for {@code localhost} and {@code 127.0.0.1}, held
 *       by {@link #trustStore()};
 *   <li>{@link #wrongHostContext()}: trusted, but made out to {@code elsewhere.invalid}, so the
 *       host name check refuses it;
 *   <li>{@link #strangerContext()}: for localhost, but in no trust store.
 * </ul>
 *
 * <p>Test material only: the private keys are public. Thread-safe.
 */
public final class TestCertificates {
  /** The password of every test store. */
  public static final String PASSWORD = "sip-adapter-test";

  private static final String BASE = "/org/sipadapter/testkit/tls/";
  private static volatile Path trustStoreCopy;

  private TestCertificates() {}

  /**
   * Returns a server context presenting the trusted localhost certificate.
   *
   * @return a new SSL context with that key
   */
  public static SSLContext serverContext() {
    return serverContext("server.p12");
  }

  /**
   * Returns a server context presenting a certificate no test trust store holds.
   *
   * @return a new SSL context with that key
   */
  public static SSLContext strangerContext() {
    return serverContext("stranger.p12");
  }

  /**
   * Returns a server context presenting a trusted certificate for another host name.
   *
   * @return a new SSL context with that key
   */
  public static SSLContext wrongHostContext() {
    return serverContext("wronghost.p12");
  }

  /**
   * Returns the trust store file (PKCS12, password {@link #PASSWORD}) holding the certificates of
   * {@link #serverContext()} and {@link #wrongHostContext()}. The resource is copied to a temporary
   * file on first use, since an adapter's config names a file.
   *
   * @return the file, deleted when the JVM exits
   */
  public static Path trustStore() {
    Path p = trustStoreCopy;
    if (p == null) {
      synchronized (TestCertificates.class) {
        p = trustStoreCopy;
        if (p == null) {
          try (InputStream in = open("truststore.p12")) {
            p = Files.createTempFile("sipadapter-test-truststore", ".p12");
            p.toFile().deleteOnExit();
            Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the test trust store", e);
          }
          trustStoreCopy = p;
        }
      }
    }
    return p;
  }

  /**
   * Returns TLS settings that trust the test certificates, for {@code
   * AdapterConfig.builder(...).tls(...)}.
   *
   * @return settings naming {@link #trustStore()}
   */
  public static TlsSettings trustingTestCertificates() {
    return TlsSettings.trustStore(
        trustStore(), Secret.of(PASSWORD), TlsSettings.DEFAULT_TRUST_STORE_TYPE);
  }

  private static SSLContext serverContext(String resource) {
    try (InputStream in = open(resource)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASSWORD.toCharArray());
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, PASSWORD.toCharArray());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read test key store " + resource, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot load test key store " + resource, e);
    }
  }

  private static InputStream open(String resource) throws IOException {
    InputStream in = TestCertificates.class.getResourceAsStream(BASE + resource);
    if (in == null) {
      throw new IOException("missing resource " + BASE + resource);
    }
    return in;
  }
}
