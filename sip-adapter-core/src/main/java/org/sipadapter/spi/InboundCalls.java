package org.sipadapter.spi;

/**
 * Reports calls that arrive from outside, with {@link DriverContext#reportIncomingCall}: {@link
 * org.sipadapter.Feature#INBOUND_CALLS}. It has no hook: implementing it says the driver makes
 * those reports.
 */
public non-sealed interface InboundCalls extends Capability {}
