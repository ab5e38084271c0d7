package org.sipadapter.spring.boot;

import java.util.ArrayList;
import java.util.List;
import org.sipadapter.ConnectionState;
import org.sipadapter.SipAdapter;
import org.sipadapter.SipAdapterListener;
import org.sipadapter.event.AdapterEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Connects the application's adapters when the context starts: first it registers every {@link
 * SipAdapterListener} bean on each adapter (and, if enabled, a listener that publishes each {@link
 * AdapterEvent} as a Spring application event), so they see the connection's own events too. Runs
 * before the web server starts. The adapters are closed by the context on shutdown.
 */
final class SipAdapterLifecycle implements SmartLifecycle {
  /** Before the web server starts, after it stops. */
  static final int PHASE = Integer.MAX_VALUE - 4096;

  private static final Logger log = LoggerFactory.getLogger(SipAdapterLifecycle.class);

  private final ObjectProvider<SipAdapter> adapters;
  private final ObjectProvider<SipAdapterListener> listeners;
  private final ApplicationEventPublisher publisher;
  private final SipAdapterProperties properties;
  private final List<SipAdapter> prepared = new ArrayList<>();
  private volatile boolean running;

  SipAdapterLifecycle(
      ObjectProvider<SipAdapter> adapters,
      ObjectProvider<SipAdapterListener> listeners,
      ApplicationEventPublisher publisher,
      SipAdapterProperties properties) {
    this.adapters = adapters;
    this.listeners = listeners;
    this.publisher = publisher;
    this.properties = properties;
  }

  @Override
  public void start() {
    List<SipAdapter> all = adapters.orderedStream().toList();
    for (SipAdapter adapter : all) {
      prepare(adapter);
    }
    if (properties.getStartup().isConnect()) {
      for (SipAdapter adapter : all) {
        if (adapter.connectionState() == ConnectionState.DISCONNECTED) {
          connect(adapter);
        }
      }
    }
    running = true;
  }

  private synchronized void prepare(SipAdapter adapter) {
    if (prepared.contains(adapter)) {
      return;
    }
    prepared.add(adapter);
    listeners.orderedStream().forEach(adapter::addListener);
    if (properties.isPublishEvents()) {
      adapter.addListener(new EventPublisher(publisher));
    }
  }

  private void connect(SipAdapter adapter) {
    try {
      adapter.connect();
      log.info(
          "sip-adapter '{}' ({}) connected to {}:{}",
          adapter.name(),
          adapter.type(),
          adapter.config().host(),
          adapter.config().port());
    } catch (RuntimeException e) {
      if (properties.getStartup().getOnFailure() == FailurePolicy.FAIL) {
        throw new IllegalStateException(
            "sip-adapter '"
                + adapter.name()
                + "' ("
                + adapter.type()
                + ") could not connect on start: "
                + e.getMessage()
                + " (set sipadapter.startup.on-failure=continue to start without it)",
            e);
      }
      log.warn(
          "sip-adapter '{}' ({}) could not connect on start and stays disconnected: {}",
          adapter.name(),
          adapter.type(),
          e.getMessage());
    }
  }

  @Override
  public void stop() {
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** Publishes every event of an adapter as a Spring application event. */
  private record EventPublisher(ApplicationEventPublisher publisher) implements SipAdapterListener {
    @Override
    public void onEvent(AdapterEvent event) {
      publisher.publishEvent(event);
    }
  }
}
