package org.sipadapter;

import java.time.Duration;
import java.util.Objects;
import org.sipadapter.config.Credentials;

/**
 * Where and how {@link SipAdapter#doConnect} connects: the address, the credentials and the time
 * limits it must honour. {@link #toString()} masks the credentials.
 *
 * @param host the server's host
 * @param port the server's port
 * @param credentials the login
 * @param tls whether to use TLS
 * @param connectTimeout the limit for opening the link and logging in
 * @param requestTimeout the limit for each request during login
 */
public record ConnectTarget(
    String host,
    int port,
    Credentials credentials,
    boolean tls,
    Duration connectTimeout,
    Duration requestTimeout) {

  /**
   * Checks the components.
   *
   * @throws NullPointerException if a component is null
   */
  public ConnectTarget {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
  }
}
