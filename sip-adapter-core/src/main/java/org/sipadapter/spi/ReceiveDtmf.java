package org.sipadapter.spi;

/**
 * Reports DTMF digits received on a call, with {@link DriverContext#reportDtmf}: {@link
 * org.sipadapter.Feature#RECEIVE_DTMF}. It has no hook: implementing it says the driver makes those
 * reports.
 */
public non-sealed interface ReceiveDtmf extends Capability {}
