package org.sipadapter.spi;

import java.util.Map;
import java.util.Optional;
import org.sipadapter.CallDirection;
import org.sipadapter.CallOptions;
import org.sipadapter.CallState;

/**
 * A call core is tracking, as a driver sees it. Core implements it and alone changes it; a driver
 * reads it from any thread and always sees a recent value. Drivers never implement it.
 */
public interface TrackedCall {

  /**
   * Returns the call's id.
   *
   * @return {@code if://call/<uuid>}
   */
  String callId();

  /**
   * Returns who started the call.
   *
   * @return the direction
   */
  CallDirection direction();

  /**
   * Returns the caller.
   *
   * @return the {@code from} given to makeCall, or the caller the server reported
   */
  String from();

  /**
   * Returns the called party.
   *
   * @return the {@code to} given to makeCall, or the destination the server reported
   */
  String to();

  /**
   * Returns the options the call was placed with.
   *
   * @return the options; {@link CallOptions#DEFAULTS} for inbound calls
   */
  CallOptions options();

  /**
   * Returns the current state.
   *
   * @return the state
   */
  CallState state();

  /**
   * Tells whether a hangup was asked for through the API.
   *
   * @return true after {@code hangup}, {@code reject} or a ring timeout
   */
  boolean hangupRequested();

  /**
   * Returns one of the server's ids for the call.
   *
   * @param key the id's name, such as {@code Uniqueid}
   * @return the value, if known
   */
  Optional<String> serverId(String key);

  /**
   * Returns all server ids known for the call.
   *
   * @return a copy
   */
  Map<String, String> serverIds();
}
