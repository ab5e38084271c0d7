package org.sipadapter.sipp.agent;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of a {@link SippAgent}. Immutable; build with {@link #builder()}.
 *
 * @param bindAddress where the HTTP server listens; loopback by default
 * @param port the HTTP port, 0 for a free one
 * @param token the bearer token clients must present, or null for none (allowed on loopback only)
 * @param maxRuns how many sipp processes may run at once
 * @param maxUploadBytes the largest scenario upload (and request body) accepted
 * @param maxScenarios how many uploaded scenarios are kept
 * @param logCapBytes the most bytes {@code GET /logs/{id}} returns per log
 * @param stopGrace how long a graceful stop waits before SIGTERM
 * @param sippBinary the sipp executable
 * @param workDir where runs and scenarios are written; null for a fresh temporary directory
 * @param keepFinishedRuns how many ended runs are remembered (their files are deleted after)
 * @param startTimeout how long a new sipp process may take to bind its SIP, media and control ports
 *     before the start is given up (the process killed, the request refused with 503)
 */
public record AgentConfig(
    InetAddress bindAddress,
    int port,
    String token,
    int maxRuns,
    int maxUploadBytes,
    int maxScenarios,
    int logCapBytes,
    Duration stopGrace,
    String sippBinary,
    Path workDir,
    int keepFinishedRuns,
    Duration startTimeout) {

  /** Checks the settings: a non-loopback bind requires a token. */
  public AgentConfig {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(stopGrace, "stopGrace");
    Objects.requireNonNull(sippBinary, "sippBinary");
    Objects.requireNonNull(startTimeout, "startTimeout");
    if (startTimeout.isNegative() || startTimeout.isZero()) {
      throw new IllegalArgumentException("startTimeout must be positive");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535");
    }
    if (maxRuns < 1 || maxUploadBytes < 1024 || maxScenarios < 1 || logCapBytes < 1024) {
      throw new IllegalArgumentException(
          "maxRuns and maxScenarios must be at least 1, maxUploadBytes and logCapBytes at least"
              + " 1024");
    }
    if (token != null
        && (token.length() < 16 || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
      throw new IllegalArgumentException(
          "token must be at least 16 printable ASCII characters without spaces");
    }
    if (token == null && !bindAddress.isLoopbackAddress()) {
      throw new IllegalArgumentException(
          "binding "
              + bindAddress.getHostAddress()
              + " exposes the agent beyond this host: give a bearer token (--token-file or"
              + " SIPP_AGENT_TOKEN)");
    }
  }

  /** The token, if one is required. */
  public Optional<String> bearerToken() {
    return Optional.ofNullable(token);
  }

  @Override
  public String toString() {
    return "AgentConfig[bind="
        + bindAddress.getHostAddress()
        + ":"
        + port
        + ", token="
        + (token == null ? "none" : "****")
        + ", maxRuns="
        + maxRuns
        + ", sipp="
        + sippBinary
        + "]";
  }

  /** A builder with the defaults: loopback, free port, no token, 256 runs, 256 KiB uploads. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link AgentConfig}; not thread-safe. */
  public static final class Builder {
    private InetAddress bindAddress = InetAddress.getLoopbackAddress();
    private int port;
    private String token;
    private int maxRuns = 256;
    private int maxUploadBytes = 256 * 1024;
    private int maxScenarios = 100;
    private int logCapBytes = 1 << 20;
    private Duration stopGrace = Duration.ofSeconds(5);
    private String sippBinary =
        Files.isExecutable(Path.of("/usr/bin/sipp")) ? "/usr/bin/sipp" : "sipp";
    private Path workDir;
    private int keepFinishedRuns = 200;
    // A 2-core host running 200 sipp processes took more than 5 s to start some of them.
    private Duration startTimeout = Duration.ofSeconds(60);

    private Builder() {}

    /**
     * Sets the listening address by name or literal.
     *
     * @param host such as {@code 127.0.0.1} or {@code 0.0.0.0}
     * @return this builder
     */
    public Builder bind(String host) {
      try {
        this.bindAddress = InetAddress.getByName(Objects.requireNonNull(host, "host"));
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("unknown bind address " + host, e);
      }
      return this;
    }

    /** Sets the HTTP port (0 = free port). @param port the port @return this builder */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Requires this bearer token. @param token the token, or null for none @return this */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /** Caps concurrent sipp processes. @param maxRuns at least 1 @return this builder */
    public Builder maxRuns(int maxRuns) {
      this.maxRuns = maxRuns;
      return this;
    }

    /** Caps uploads and request bodies. @param bytes at least 1024 @return this builder */
    public Builder maxUploadBytes(int bytes) {
      this.maxUploadBytes = bytes;
      return this;
    }

    /** Caps stored uploads. @param max at least 1 @return this builder */
    public Builder maxScenarios(int max) {
      this.maxScenarios = max;
      return this;
    }

    /** Caps each log returned. @param bytes at least 1024 @return this builder */
    public Builder logCapBytes(int bytes) {
      this.logCapBytes = bytes;
      return this;
    }

    /** Sets the graceful-stop wait. @param grace the wait @return this builder */
    public Builder stopGrace(Duration grace) {
      this.stopGrace = grace;
      return this;
    }

    /** Sets the sipp executable. @param binary path or name @return this builder */
    public Builder sippBinary(String binary) {
      this.sippBinary = binary;
      return this;
    }

    /** Sets the working directory. @param dir the directory, or null @return this builder */
    public Builder workDir(Path dir) {
      this.workDir = dir;
      return this;
    }

    /** Sets how many ended runs are kept. @param n at least 0 @return this builder */
    public Builder keepFinishedRuns(int n) {
      this.keepFinishedRuns = n;
      return this;
    }

    /**
     * Sets how long a start waits for SIPp to bind its ports. @param timeout positive @return this
     */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /** Builds and checks the config. @return the config */
    public AgentConfig build() {
      return new AgentConfig(
          bindAddress,
          port,
          token,
          maxRuns,
          maxUploadBytes,
          maxScenarios,
          logCapBytes,
          stopGrace,
          sippBinary,
          workDir,
          keepFinishedRuns,
          startTimeout);
    }
  }
}
