package org.sipadapter;

/**
 * A handle on a registered listener. Closing it unregisters the listener; closing twice does
 * nothing. Events already queued for the listener may still arrive shortly after.
 */
@FunctionalInterface
public interface ListenerRegistration extends AutoCloseable {
  /** Unregisters the listener. */
  @Override
  void close();
}
