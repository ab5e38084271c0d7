package org.sipadapter.sipp.agent;

/** Lifecycle of a supervised sipp process. */
public enum RunState {
  /** The process runs. */
  RUNNING,
  /** A stop was requested and the process has not ended yet. */
  STOPPING,
  /** The process ended; exit code, verdict and final stats are known. */
  ENDED
}
