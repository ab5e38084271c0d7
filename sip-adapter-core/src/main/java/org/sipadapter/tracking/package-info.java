/**
 * Shared pieces for adapters that track calls by reading a server's list of dialogs or channels:
 * {@link org.sipadapter.tracking.SnapshotDiffer} turns two reads into changes, {@link
 * org.sipadapter.tracking.ListPoller} runs the polling fallback over it, {@link
 * org.sipadapter.tracking.CallSnapshots} answers a resync from a list, and {@link
 * org.sipadapter.tracking.DialogState} is the dialog state numbering of the Kamailio and OpenSIPS
 * dialog modules.
 */
package org.sipadapter.tracking;
