package org.sipadapter.sipp.agent;

/** Which side of a call a scenario plays. */
public enum ScenarioRole {
  /** Places calls (its first message is a send); needs a target. */
  UAC,
  /** Receives calls (its first message is a receive); listens on a local port. */
  UAS
}
