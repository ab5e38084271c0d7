package org.sipadapter.cli.demo;

import java.util.List;

/** The numbers every demo server is set up with, so the timelines read the same. */
final class DemoNumbers {
  /** The caller of every demo call. */
  static final String CALLER = "1000";

  /** A destination that rings and answers. */
  static final String ANSWER = "2000";

  /** A destination that is busy. */
  static final String BUSY = "3000";

  private DemoNumbers() {}

  /** The two calls of a server that places calls: one answered and talked on, one busy. */
  static List<DemoCall> outboundCalls() {
    return List.of(DemoCall.answered(CALLER, ANSWER), DemoCall.busy(CALLER, BUSY));
  }
}
