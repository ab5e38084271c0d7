package org.sipadapter.asterisk;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.sipadapter.CallOptions;
import org.sipadapter.asterisk.ami.AmiAction;

/**
 * An asynchronous {@code Originate} for one outbound call, built from the adapter's settings and
 * the call's options.
 *
 * <p>The originated channel gets the preset Uniqueid {@code channelId} (and a Local channel's
 * {@code ;2} half {@code otherChannelId}), both derived from the SDK's call id, so every event of
 * the call can be matched to it without a lookup table: the channel's own events carry {@code
 * Uniqueid: channelId}, and every channel of the call chain carries {@code Linkedid: channelId}.
 *
 * @param channel the channel to dial, such as {@code PJSIP/2000}
 * @param context dialplan context after answer (ignored when {@code application} is set)
 * @param exten extension in that context
 * @param priority priority in that extension
 * @param application application to run after answer, or empty
 * @param data the application's argument
 * @param callerId the {@code CallerID} header, such as {@code "Sales" <1000>}
 * @param timeout how long the channel may ring
 * @param variables channel variables ({@code Variable: name=value}), in order
 * @param channelId preset Uniqueid of the originated channel
 * @param otherChannelId preset Uniqueid of a Local channel's second half
 * @param earlyMedia whether to run the dialplan on early media
 */
public record OriginateRequest(
    String channel,
    String context,
    String exten,
    int priority,
    String application,
    String data,
    String callerId,
    Duration timeout,
    Map<String, String> variables,
    String channelId,
    String otherChannelId,
    boolean earlyMedia) {

  /**
   * Checks and copies the components.
   *
   * @throws NullPointerException if a component is null
   */
  public OriginateRequest {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(exten, "exten");
    Objects.requireNonNull(application, "application");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(callerId, "callerId");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(channelId, "channelId");
    Objects.requireNonNull(otherChannelId, "otherChannelId");
    variables = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variables));
  }

  /**
   * Builds the request for a call.
   *
   * @param settings the adapter's settings
   * @param from the caller (fills {@code {from}} and is the default caller id number)
   * @param to the destination (fills {@code {to}})
   * @param options the call's options
   * @param ring how long the channel may ring
   * @param channelId the preset Uniqueid
   * @return the request
   */
  public static OriginateRequest of(
      AsteriskSettings settings,
      String from,
      String to,
      CallOptions options,
      Duration ring,
      String channelId) {
    String number = options.callerIdNumber().orElse(from);
    String callerId =
        options.callerIdName().map(n -> '"' + n + "\" <" + number + '>').orElse(number);
    Map<String, String> vars = new LinkedHashMap<>(options.variables());
    // PJSIP adds a header to the outgoing INVITE for each PJSIP_HEADER(add,...) variable.
    options.headers().forEach((k, v) -> vars.put("PJSIP_HEADER(add," + k + ")", v));
    return new OriginateRequest(
        AsteriskSettings.fill(settings.channel(), from, to),
        settings.context(),
        AsteriskSettings.fill(settings.exten(), from, to),
        settings.priority(),
        settings.application(),
        AsteriskSettings.fill(settings.data(), from, to),
        callerId,
        ring,
        vars,
        channelId,
        channelId + "-2",
        options.earlyMedia());
  }

  /**
   * Returns the AMI action.
   *
   * @return {@code Originate} with {@code Async: true}
   */
  public AmiAction toAction() {
    AmiAction.Builder b = AmiAction.of("Originate").add("Channel", channel);
    if (application.isEmpty()) {
      b.add("Context", context).add("Exten", exten).add("Priority", String.valueOf(priority));
    } else {
      b.add("Application", application).addIfPresent("Data", data);
    }
    b.add("Timeout", String.valueOf(Math.max(1, timeout.toMillis())))
        .addIfPresent("CallerID", callerId)
        .add("Async", "true")
        .add("ChannelId", channelId)
        .add("OtherChannelId", otherChannelId);
    if (earlyMedia) {
      b.add("EarlyMedia", "true");
    }
    variables.forEach((k, v) -> b.add("Variable", k + "=" + v));
    return b.build();
  }
}
