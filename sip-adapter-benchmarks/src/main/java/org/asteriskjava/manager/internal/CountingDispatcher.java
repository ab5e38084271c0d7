package org.asteriskjava.manager.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.asteriskjava.manager.event.ManagerEvent;
import org.asteriskjava.manager.response.ManagerResponse;

/**
 * Benchmark baseline support: asterisk-java's {@code Dispatcher} is package-private, so the
 * benchmark's receiver of asterisk-java events has to live in that package.
 */
public final class CountingDispatcher implements Dispatcher {

  private final AtomicInteger events = new AtomicInteger();
  private final Consumer<Object> sink;

  /**
   * A dispatcher that hands every event to {@code sink} and counts it.
   *
   * @param sink receives each event (a JMH Blackhole in the benchmark)
   */
  public CountingDispatcher(Consumer<Object> sink) {
    this.sink = sink;
  }

  /**
   * Events seen so far.
   *
   * @return the count
   */
  public int events() {
    return events.get();
  }

  @Override
  public void dispatchResponse(ManagerResponse response, Integer requiredHandlingTime) {
    sink.accept(response);
  }

  @Override
  public void dispatchEvent(ManagerEvent event, Integer requiredHandlingTime) {
    sink.accept(event);
    events.incrementAndGet();
  }

  @Override
  public void stop() {}
}
