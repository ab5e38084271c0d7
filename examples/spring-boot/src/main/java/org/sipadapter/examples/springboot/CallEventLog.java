package org.sipadapter.examples.springboot;

import org.sipadapter.event.CallStateChanged;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Logs every call state change: the starter publishes adapter events as application events. */
@Component
class CallEventLog {
  private static final Logger log = LoggerFactory.getLogger(CallEventLog.class);

  @EventListener
  void on(CallStateChanged e) {
    log.info("{} call {} is {} ({})", e.adapterName(), e.callId(), e.state(), e.cause());
  }
}
