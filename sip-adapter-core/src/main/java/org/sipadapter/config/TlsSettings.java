package org.sipadapter.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.UnrecoverableKeyException;
import java.util.Collections;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.sipadapter.ConfigurationException;

/**
 * How an adapter secures its link with TLS: on or off, and which certificates it trusts. Without a
 * trust store the JVM's default trust store applies (the {@code cacerts} file, or the {@code
 * javax.net.ssl.trustStore} system property); with one, only the certificates in that store are
 * trusted, which is how a PBX with a self-signed or private-CA certificate is reached.
 *
 * <p>The server's host name is always checked against its certificate; there is deliberately no way
 * to switch that off or to trust every certificate.
 *
 * <p>Immutable and thread-safe. {@link #toString()} masks the trust store password.
 */
public final class TlsSettings {
  /** The default trust store type. */
  public static final String DEFAULT_TRUST_STORE_TYPE = "PKCS12";

  /** TLS off. */
  public static final TlsSettings DISABLED =
      new TlsSettings(false, null, Secret.empty(), DEFAULT_TRUST_STORE_TYPE);

  /** TLS on, trusting the JVM's default trust store. */
  public static final TlsSettings SYSTEM_TRUST =
      new TlsSettings(true, null, Secret.empty(), DEFAULT_TRUST_STORE_TYPE);

  private final boolean enabled;
  private final Path trustStore;
  private final Secret trustStorePassword;
  private final String trustStoreType;

  private TlsSettings(
      boolean enabled, Path trustStore, Secret trustStorePassword, String trustStoreType) {
    this.enabled = enabled;
    this.trustStore = trustStore;
    this.trustStorePassword = Objects.requireNonNull(trustStorePassword, "trustStorePassword");
    this.trustStoreType = Objects.requireNonNull(trustStoreType, "trustStoreType");
  }

  /**
   * TLS on, trusting only the certificates in a trust store file.
   *
   * @param trustStore the trust store file (PKCS12 or JKS, see {@code type})
   * @param password the store's password; {@link Secret#empty()} for a store without one
   * @param type the {@link KeyStore} type, such as {@code PKCS12} or {@code JKS}
   * @return the settings
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code type} is blank
   */
  public static TlsSettings trustStore(Path trustStore, Secret password, String type) {
    Objects.requireNonNull(trustStore, "trustStore");
    Objects.requireNonNull(type, "type");
    if (type.isBlank()) {
      throw new IllegalArgumentException("trust store type must not be blank");
    }
    return new TlsSettings(true, trustStore, password, type.trim());
  }

  /**
   * TLS on, trusting only the certificates in a PKCS12 trust store file.
   *
   * @param trustStore the PKCS12 file
   * @param password the store's password, null or empty for none
   * @return the settings
   */
  public static TlsSettings trustStore(Path trustStore, String password) {
    return trustStore(trustStore, Secret.of(password), DEFAULT_TRUST_STORE_TYPE);
  }

  /**
   * Returns whether the link is wrapped in TLS.
   *
   * @return true if TLS is on
   */
  public boolean enabled() {
    return enabled;
  }

  /**
   * Returns the trust store file, if one is set.
   *
   * @return the file; empty means the JVM's default trust store
   */
  public Optional<Path> trustStore() {
    return Optional.ofNullable(trustStore);
  }

  /**
   * Returns the trust store's password.
   *
   * @return the password, {@link Secret#empty()} when none
   */
  public Secret trustStorePassword() {
    return trustStorePassword;
  }

  /**
   * Returns the trust store's {@link KeyStore} type.
   *
   * @return such as {@code PKCS12} (the default) or {@code JKS}
   */
  public String trustStoreType() {
    return trustStoreType;
  }

  /**
   * Returns a copy with TLS switched on or off, keeping the trust store.
   *
   * @param on whether TLS is on
   * @return the copy (this object when nothing changes)
   */
  public TlsSettings withEnabled(boolean on) {
    return on == enabled
        ? this
        : new TlsSettings(on, trustStore, trustStorePassword, trustStoreType);
  }

  /**
   * Checks the settings as {@link ConfigLoader} does: when TLS is on and a trust store is set, the
   * file must exist and open with the password and type, and hold at least one certificate. Never
   * puts the password into a problem.
   *
   * @param p where to add problems, paths below {@code tls}
   */
  public void validate(ConfigProblems p) {
    if (!enabled || trustStore == null) {
      return;
    }
    try {
      load();
    } catch (TrustStoreProblem e) {
      p.add("tls." + e.key, e.getMessage());
    }
  }

  /**
   * Opens the trust store file.
   *
   * @return the loaded store
   * @throws IllegalStateException if no trust store is set
   * @throws ConfigurationException if the file is missing, unreadable, of another type, opens not
   *     with the password, or holds no certificate (the message names the file, never the password)
   */
  public KeyStore openTrustStore() {
    try {
      return load();
    } catch (TrustStoreProblem e) {
      throw new ConfigurationException("tls." + e.key + ": " + e.getMessage());
    }
  }

  private KeyStore load() {
    if (trustStore == null) {
      throw new IllegalStateException("no trust store is set");
    }
    KeyStore ks;
    try {
      ks = KeyStore.getInstance(trustStoreType);
    } catch (KeyStoreException e) {
      throw new TrustStoreProblem(
          "trustStoreType", "unknown key store type '" + trustStoreType + "' (use PKCS12 or JKS)");
    }
    char[] password =
        trustStorePassword.isEmpty() ? null : trustStorePassword.reveal().toCharArray();
    try (InputStream in = Files.newInputStream(trustStore)) {
      ks.load(in, password);
    } catch (NoSuchFileException e) {
      throw new TrustStoreProblem("trustStore", "file not found: " + trustStore);
    } catch (IOException e) {
      if (Files.isDirectory(trustStore)) {
        throw new TrustStoreProblem("trustStore", "is a directory, not a file: " + trustStore);
      }
      if (e.getCause() instanceof UnrecoverableKeyException
          || String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("password")) {
        throw new TrustStoreProblem(
            "trustStorePassword",
            "wrong password for the trust store " + trustStore + " (or the file is damaged)");
      }
      throw new TrustStoreProblem(
          "trustStore",
          "cannot read "
              + trustStore
              + " as a "
              + trustStoreType
              + " key store ("
              + e.getClass().getSimpleName()
              + "); check the file and tls.trustStoreType");
    } catch (GeneralSecurityException e) {
      throw new TrustStoreProblem(
          "trustStore",
          "cannot read the certificates in "
              + trustStore
              + " ("
              + e.getClass().getSimpleName()
              + ")");
    }
    try {
      boolean anyCertificate = false;
      for (String alias : Collections.list(ks.aliases())) {
        anyCertificate |= ks.isCertificateEntry(alias) || ks.getCertificate(alias) != null;
      }
      if (!anyCertificate) {
        throw new TrustStoreProblem(
            "trustStore", "holds no certificate to trust: " + trustStore + "");
      }
    } catch (KeyStoreException e) {
      throw new TrustStoreProblem("trustStore", "cannot list the entries of " + trustStore);
    }
    return ks;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TlsSettings
        && ((TlsSettings) o).enabled == enabled
        && Objects.equals(((TlsSettings) o).trustStore, trustStore)
        && ((TlsSettings) o).trustStorePassword.equals(trustStorePassword)
        && ((TlsSettings) o).trustStoreType.equals(trustStoreType);
  }

  @Override
  public int hashCode() {
    return Objects.hash(enabled, trustStore, trustStorePassword, trustStoreType);
  }

  /**
   * Describes the settings with the password masked.
   *
   * @return such as {@code TlsSettings[enabled=true, trustStore=/etc/ca.p12,
   *     trustStorePassword=******, trustStoreType=PKCS12]}
   */
  @Override
  public String toString() {
    return "TlsSettings[enabled="
        + enabled
        + ", trustStore="
        + (trustStore == null ? "<system default>" : trustStore)
        + ", trustStorePassword="
        + trustStorePassword
        + ", trustStoreType="
        + trustStoreType
        + "]";
  }

  /** A problem with the trust store, with the config key it belongs to. */
  private static final class TrustStoreProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String key;

    TrustStoreProblem(String key, String message) {
      super(message, null, false, false);
      this.key = key;
    }
  }
}
