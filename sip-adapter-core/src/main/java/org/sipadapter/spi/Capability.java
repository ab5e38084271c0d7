package org.sipadapter.spi;

/**
 * An optional part of a driver. A driver offers an operation by implementing its capability
 * interface; {@link org.sipadapter.SipAdapter#features()} is the set of {@link
 * org.sipadapter.Feature}s of the capabilities the driver's {@link AdapterDriver#capabilities()}
 * holds, so a declared feature always has its hook and a hook is never hidden by a forgotten
 * declaration.
 *
 * <p>The set is closed: every capability is one of the interfaces listed here, each named in {@link
 * Capabilities}.
 */
public sealed interface Capability
    permits OutboundCalls,
        InboundCalls,
        Answer,
        Reject,
        Transfer,
        AttendedTransfer,
        Hold,
        Recording,
        SendDtmf,
        ReceiveDtmf,
        Conference,
        Bridge,
        RefreshStatus,
        Resync {}
