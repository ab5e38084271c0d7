/**
 * Shared pieces for adapters that track calls by reading a server's list of dialogs or channels:
 * {@link org.sipadapter.tracking.SnapshotDiffer} turns two reads into changes, {@link
 * org.sipadapter.tracking.ListPoller} runs the polling fallback over it, {@link
 * org.sipadapter.tracking.DialogCalls} maps a proxy's dialogs to calls (the shared dialog-proxy
 * support of Kamailio and OpenSIPS, reporting through {@link org.sipadapter.tracking.CallReports}),
 * and {@link org.sipadapter.tracking.DialogState} is the dialog state numbering of their dialog
 * modules.
 */
package org.sipadapter.tracking;
