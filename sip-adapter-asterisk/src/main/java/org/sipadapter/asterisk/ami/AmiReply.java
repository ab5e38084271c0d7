package org.sipadapter.asterisk.ami;

import java.util.List;
import java.util.Objects;

/**
 * The server's answer to one action: the {@code Response} packet and, for list actions ({@code
 * CoreShowChannels}, {@code Status}, {@code ConfbridgeList}), the events that followed it up to the
 * one carrying {@code EventList: Complete} (that closing event is not among {@link #items()}).
 *
 * @param response the {@code Response: ...} packet
 * @param items the list's events, in wire order; empty for ordinary actions
 */
public record AmiReply(AmiFrame response, List<AmiFrame> items) {

  /**
   * Checks and copies the components.
   *
   * @throws NullPointerException if a component is null
   */
  public AmiReply {
    Objects.requireNonNull(response, "response");
    items = List.copyOf(items);
  }

  /**
   * Tells whether the server accepted the action.
   *
   * @return true for {@code Response: Success} (and the Asterisk 13 {@code Follows})
   */
  public boolean isSuccess() {
    return response.valueEqualsIgnoreCase("Response", "Success")
        || response.valueEqualsIgnoreCase("Response", "Follows")
        || response.valueEqualsIgnoreCase("Response", "Goodbye");
  }

  /**
   * Returns the server's message.
   *
   * @return the {@code Message} header, or empty
   */
  public String message() {
    return response.getOrDefault("Message", "");
  }
}
