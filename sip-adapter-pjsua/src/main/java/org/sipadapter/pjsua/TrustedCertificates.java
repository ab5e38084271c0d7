package org.sipadapter.pjsua;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.sipadapter.ConfigurationException;
import org.sipadapter.config.TlsSettings;

/**
 * The certificates pjsip's TLS transport checks servers against. pjsip reads a PEM file ({@code
 * TlsConfig.CaListFile}), not a Java key store, so the configured trust store (or, without one, the
 * JVM's trusted certificates) is written out as PEM for each start.
 */
final class TrustedCertificates {
  private TrustedCertificates() {}

  /**
   * Returns the trusted certificates of {@code settings}: its trust store's, else the JVM's.
   *
   * @param settings the config's TLS settings
   * @return the certificates
   * @throws ConfigurationException if the trust store cannot be read
   */
  static List<X509Certificate> of(TlsSettings settings) {
    try {
      if (settings.trustStore().isPresent()) {
        KeyStore ks = settings.openTrustStore();
        List<X509Certificate> out = new ArrayList<>();
        for (String alias : Collections.list(ks.aliases())) {
          Certificate c = ks.getCertificate(alias);
          if (c instanceof X509Certificate x) {
            out.add(x);
          }
        }
        return out;
      }
      TrustManagerFactory f =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      f.init((KeyStore) null);
      for (TrustManager t : f.getTrustManagers()) {
        if (t instanceof X509TrustManager x) {
          return List.of(x.getAcceptedIssuers());
        }
      }
      return List.of();
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException(
          "cannot read the trusted certificates: " + e.getMessage(), e);
    }
  }

  /**
   * Writes certificates to a new PEM file.
   *
   * @param certificates the certificates
   * @return the file; the caller deletes it
   * @throws IOException if it cannot be written
   */
  static Path writePem(List<X509Certificate> certificates) throws IOException {
    StringBuilder pem = new StringBuilder();
    Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    for (X509Certificate c : certificates) {
      try {
        pem.append("-----BEGIN CERTIFICATE-----\n")
            .append(b64.encodeToString(c.getEncoded()))
            .append("\n-----END CERTIFICATE-----\n");
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot encode " + c.getSubjectX500Principal(), e);
      }
    }
    Path file = Files.createTempFile("sipadapter-pjsua-ca-", ".pem");
    Files.writeString(file, pem, StandardCharsets.US_ASCII);
    return file;
  }
}
