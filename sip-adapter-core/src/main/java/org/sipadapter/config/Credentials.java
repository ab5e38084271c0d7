package org.sipadapter.config;

import java.util.Objects;

/**
 * A user name and a secret (password or token). {@link #toString()} masks the secret.
 *
 * @param username the login name; empty when the protocol has none (ESL logs in with a password
 *     only)
 * @param secret the password or token
 */
public record Credentials(String username, Secret secret) {

  /** No credentials. */
  public static final Credentials NONE = new Credentials("", Secret.empty());

  /**
   * Checks the components.
   *
   * @throws NullPointerException if either is null
   */
  public Credentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(secret, "secret");
  }

  /**
   * Builds credentials from plain strings.
   *
   * @param username the login name, null for none
   * @param password the password, null for none
   * @return the credentials
   */
  public static Credentials of(String username, String password) {
    return new Credentials(username == null ? "" : username, Secret.of(password));
  }

  @Override
  public String toString() {
    return "Credentials[username=" + username + ", secret=" + secret + "]";
  }
}
