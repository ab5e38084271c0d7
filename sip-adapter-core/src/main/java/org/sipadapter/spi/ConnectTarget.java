package org.sipadapter.spi;

import java.time.Duration;
import java.util.Objects;
import org.sipadapter.config.Credentials;
import org.sipadapter.transport.TlsContext;

/**
 * Where and how {@link AdapterDriver#connect} connects: the address, the credentials and the time
 * limits it must honour. {@link #toString()} masks the credentials.
 *
 * @param host the server's host
 * @param port the server's port
 * @param credentials the login
 * @param tls whether to use TLS
 * @param connectTimeout the limit for opening the link and logging in
 * @param requestTimeout the limit for each request during login
 * @param tlsContext the TLS setup built once from the config's {@code tls} settings ({@link
 *     TlsContext#disabled()} when {@code tls} is false); pass it to {@link
 *     org.sipadapter.transport.FramedConnection.Endpoint} or to the HTTP client
 */
public record ConnectTarget(
    String host,
    int port,
    Credentials credentials,
    boolean tls,
    Duration connectTimeout,
    Duration requestTimeout,
    TlsContext tlsContext) {

  /**
   * Checks the components.
   *
   * @throws NullPointerException if a component is null
   * @throws IllegalArgumentException if {@code tls} and the TLS context disagree
   */
  public ConnectTarget {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(tlsContext, "tlsContext");
    if (tls != tlsContext.enabled()) {
      throw new IllegalArgumentException(
          "tls is " + tls + " but the TLS context is " + (tls ? "disabled" : "enabled"));
    }
  }

  /**
   * A target whose TLS, when on, trusts the JVM's default trust store.
   *
   * @param host the server's host
   * @param port the server's port
   * @param credentials the login
   * @param tls whether to use TLS
   * @param connectTimeout the limit for opening the link and logging in
   * @param requestTimeout the limit for each request during login
   */
  public ConnectTarget(
      String host,
      int port,
      Credentials credentials,
      boolean tls,
      Duration connectTimeout,
      Duration requestTimeout) {
    this(
        host,
        port,
        credentials,
        tls,
        connectTimeout,
        requestTimeout,
        tls ? TlsContext.systemDefault() : TlsContext.disabled());
  }
}
