package org.sipadapter.transport;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.sipadapter.ConfigurationException;
import org.sipadapter.config.TlsSettings;

/**
 * The client side of TLS for one adapter, built once from its {@link TlsSettings}: the {@link
 * SSLContext} for sockets and the {@link X509TrustManager} that HTTP clients such as OkHttp want
 * beside it. Socket transports use {@link #socketFactory()}; HTTP transports use {@link
 * #sslContext()} and {@link #trustManager()}.
 *
 * <p>Immutable and thread-safe; one instance may serve every connection of an adapter. Building it
 * reads the trust store file once.
 */
public final class TlsContext {
  private static final TlsContext DISABLED = new TlsContext(TlsSettings.DISABLED, null, null);

  private final TlsSettings settings;
  private final SSLContext sslContext;
  private final X509TrustManager trustManager;

  private TlsContext(TlsSettings settings, SSLContext sslContext, X509TrustManager trustManager) {
    this.settings = settings;
    this.sslContext = sslContext;
    this.trustManager = trustManager;
  }

  /**
   * Returns the context of a link without TLS.
   *
   * @return a context whose {@link #enabled()} is false
   */
  public static TlsContext disabled() {
    return DISABLED;
  }

  /**
   * Returns TLS trusting the JVM's default trust store (and its {@code javax.net.ssl.*} system
   * properties), built on first use and shared.
   *
   * @return the shared default context
   * @throws IllegalStateException if the JVM's default TLS setup cannot be loaded
   */
  public static TlsContext systemDefault() {
    return SystemDefault.INSTANCE;
  }

  /**
   * Builds the context for a set of TLS settings.
   *
   * @param settings the settings; disabled settings give {@link #disabled()}, settings without a
   *     trust store give {@link #systemDefault()}
   * @return the context
   * @throws ConfigurationException if the trust store cannot be opened (the message names the file
   *     and the config key, never the password)
   */
  public static TlsContext create(TlsSettings settings) {
    Objects.requireNonNull(settings, "settings");
    if (!settings.enabled()) {
      return DISABLED;
    }
    if (settings.trustStore().isEmpty()) {
      return systemDefault();
    }
    KeyStore trusted = settings.openTrustStore();
    try {
      X509TrustManager tm = trustManagerFor(trusted);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {tm}, null);
      return new TlsContext(settings, ctx, tm);
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException(
          "tls.trustStore: cannot build a TLS context from "
              + settings.trustStore().get()
              + " ("
              + e.getClass().getSimpleName()
              + ")",
          e);
    }
  }

  /**
   * Returns whether TLS is on.
   *
   * @return false for {@link #disabled()}
   */
  public boolean enabled() {
    return sslContext != null;
  }

  /**
   * Returns the settings this context was built from.
   *
   * @return the settings ({@link TlsSettings#SYSTEM_TRUST} for {@link #systemDefault()})
   */
  public TlsSettings settings() {
    return settings;
  }

  /**
   * Returns the SSL context.
   *
   * @return the context
   * @throws IllegalStateException if TLS is off
   */
  public SSLContext sslContext() {
    requireEnabled();
    return sslContext;
  }

  /**
   * Returns the trust manager that checks the server's certificate chain.
   *
   * @return the trust manager
   * @throws IllegalStateException if TLS is off
   */
  public X509TrustManager trustManager() {
    requireEnabled();
    return trustManager;
  }

  /**
   * Returns the socket factory of {@link #sslContext()}.
   *
   * @return the factory
   * @throws IllegalStateException if TLS is off
   */
  public SSLSocketFactory socketFactory() {
    return sslContext().getSocketFactory();
  }

  /**
   * Turns on host name verification on a client socket before its handshake, so the server's
   * certificate must name the host the socket was created for (the {@code HTTPS} rules of RFC 2818:
   * DNS names and IP addresses in the subject alternative names).
   *
   * @param socket a client socket created with the host name
   */
  public static void requireHostName(SSLSocket socket) {
    SSLParameters params = socket.getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS");
    socket.setSSLParameters(params);
  }

  /**
   * Explains a failed TLS handshake in words a user can act on: an untrusted certificate, a
   * certificate for another host name, or a peer that does not speak TLS.
   *
   * @param host the host the client connected to
   * @param port the port
   * @param failure the handshake's exception
   * @return a one-line explanation with the next step
   */
  public static String describeHandshakeFailure(String host, int port, Throwable failure) {
    String where = host + ":" + port;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof CertPathValidatorException
          || t.getClass().getName().endsWith("ValidatorException")) {
        return "TLS handshake with "
            + where
            + " failed: the server's certificate is not trusted ("
            + t.getMessage()
            + "); put the server's certificate or its CA into the trust store named by"
            + " tls.trustStore";
      }
      String msg = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (t instanceof CertificateException
          && (msg.contains("subject alternative") || msg.contains("no name matching"))) {
        return "TLS handshake with "
            + where
            + " failed: the server's certificate does not name '"
            + host
            + "' ("
            + t.getMessage()
            + "); connect with a host name the certificate lists, or reissue the certificate"
            + " with that name";
      }
    }
    return "TLS handshake with "
        + where
        + " failed ("
        + failure.getMessage()
        + "); check that the port serves TLS and that both sides share a protocol version";
  }

  private static X509TrustManager trustManagerFor(KeyStore trusted)
      throws GeneralSecurityException {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509TrustManager) {
        return (X509TrustManager) tm;
      }
    }
    throw new GeneralSecurityException("no X.509 trust manager available");
  }

  private void requireEnabled() {
    if (sslContext == null) {
      throw new IllegalStateException("TLS is off for this link");
    }
  }

  @Override
  public String toString() {
    return "TlsContext[" + settings + "]";
  }

  /** Loads the JVM's default trust only when a link first asks for it. */
  private static final class SystemDefault {
    static final TlsContext INSTANCE = load();

    private static TlsContext load() {
      try {
        return new TlsContext(
            TlsSettings.SYSTEM_TRUST, SSLContext.getDefault(), trustManagerFor(null));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JVM's default TLS setup cannot be loaded", e);
      }
    }
  }
}
