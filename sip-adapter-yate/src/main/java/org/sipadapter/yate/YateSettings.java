package org.sipadapter.yate;

import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.sipadapter.config.AdapterConfig;
import org.sipadapter.config.ConfigProblems;
import org.sipadapter.config.Secret;
import org.sipadapter.yate.extmodule.ExtFrameDecoder;

/**
 * The Yate-specific part of the configuration ({@code options:} in YAML).
 *
 * @param role {@code global} (default): send {@code %%>connect:global} first, which a listener
 *     without a preset {@code role} requires and one with {@code role=global} answers with a
 *     harmless {@code Error in:}; or {@code preset}: send nothing, for a {@code role=global}
 *     listener
 * @param callto the local leg of an outbound call ({@code callto} of {@code call.execute}), default
 *     {@code dumb/}; it must be a driver that can start a channel with no peer
 * @param target the {@code target} template: the number Yate routes ({@code {to}} and {@code
 *     {from}} replaced), default {@code {to}}; ignored when {@link #direct} is set
 * @param direct a {@code direct} template: an explicit second leg such as {@code
 *     sip/sip:{to}@10.0.0.9}, skipping routing; empty (default) to route {@link #target}
 * @param inbound whether to take inbound calls: install a {@code call.route} handler, route the
 *     calls it takes to {@link #inboundTarget} and raise {@code IncomingCall}; default false
 *     (routing stays with Yate's own routers)
 * @param inboundCalled only take inbound calls to this called number (a handler filter Yate
 *     applies), or, starting with {@code ^}, to the numbers this regular expression finds (checked
 *     by the adapter, which answers the others unprocessed at once); empty takes every incoming
 *     call Yate routes
 * @param inboundTarget where a taken inbound call is routed, default {@code dumb/}
 * @param routePriority the {@code call.route} handler's priority, default 50 (before regexroute's
 *     100)
 * @param maxLineBytes the longest line accepted from Yate, default 2 MiB
 * @param rmanagerHost the remote console's host for the health report, default the adapter's host
 * @param rmanagerPort the remote console's port, or 0 (default) to leave it out of the health
 *     report
 * @param rmanagerPassword the console's {@code password=}, or empty; never logged
 */
public record YateSettings(
    String role,
    String callto,
    String target,
    String direct,
    boolean inbound,
    String inboundCalled,
    String inboundTarget,
    int routePriority,
    int maxLineBytes,
    String rmanagerHost,
    int rmanagerPort,
    Secret rmanagerPassword) {

  /**
   * Reads the options of a config; unset options take their defaults.
   *
   * @param config the adapter config, not null
   * @return the settings
   */
  public static YateSettings from(AdapterConfig config) {
    return new YateSettings(
        config.option("role", "global"),
        config.option("callto", "dumb/"),
        config.option("target", "{to}"),
        config.option("direct", ""),
        config.booleanOption("inbound", false),
        config.option("inboundCalled", ""),
        config.option("inboundTarget", "dumb/"),
        config.intOption("routePriority", 50),
        config.intOption("maxLineBytes", ExtFrameDecoder.DEFAULT_MAX_LINE_BYTES),
        config.option("rmanagerHost", config.host()),
        config.intOption("rmanagerPort", 0),
        Secret.of(config.option("rmanagerPassword", "")));
  }

  /**
   * Returns the pattern of {@link #inboundCalled} when it is a regular expression (it starts with
   * {@code ^}).
   *
   * @return the pattern, or empty for a plain number or no filter
   */
  public Optional<Pattern> inboundCalledPattern() {
    return inboundCalled.startsWith("^")
        ? Optional.of(Pattern.compile(inboundCalled))
        : Optional.empty();
  }

  /** Returns true when the adapter sends {@code %%>connect:global} first. */
  public boolean sendsConnect() {
    return role.equals("global");
  }

  /**
   * Adds every problem of these settings to {@code problems}.
   *
   * @param problems where to report, not null
   */
  public void validate(ConfigProblems problems) {
    if (!role.equals("global") && !role.equals("preset")) {
      problems.add("options.role", "must be global or preset");
    }
    if (callto.isEmpty() || !callto.contains("/")) {
      problems.add("options.callto", "must name a channel driver, such as dumb/");
    }
    if (direct.isEmpty() && !target.contains("{to}")) {
      problems.add("options.target", "must contain {to}");
    }
    if (!direct.isEmpty() && !direct.contains("{to}")) {
      problems.add("options.direct", "must contain {to}, e.g. sip/sip:{to}@10.0.0.9");
    }
    if (inboundTarget.isEmpty()) {
      problems.add("options.inboundTarget", "must not be empty");
    }
    if (inboundCalled.startsWith("^")) {
      try {
        Pattern.compile(inboundCalled);
      } catch (PatternSyntaxException e) {
        problems.add("options.inboundCalled", "is not a regular expression: " + e.getDescription());
      }
    } else if (inboundCalled.indexOf(':') >= 0 || inboundCalled.indexOf('%') >= 0) {
      problems.add("options.inboundCalled", "must not contain ':' or '%'");
    }
    if (routePriority < 0) {
      problems.add("options.routePriority", "must not be negative");
    }
    if (rmanagerPort < 0 || rmanagerPort > 65535) {
      problems.add("options.rmanagerPort", "must be 0 (off) or a TCP port");
    }
    if (maxLineBytes < 64 * 1024) {
      problems.add("options.maxLineBytes", "must be at least 65536");
    }
  }
}
