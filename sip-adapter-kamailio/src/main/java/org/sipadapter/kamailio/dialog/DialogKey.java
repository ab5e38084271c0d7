package org.sipadapter.kamailio.dialog;

/**
 * The dialog module's identity of a dialog within one Kamailio run: hash entry and id, as {@code
 * dlg.end_dlg} takes them. Kamailio reuses neither while it runs; after a restart they start over,
 * so the adapter pairs them with the SIP Call-ID.
 *
 * @param hEntry the hash table entry ({@code h_entry})
 * @param hId the id within the entry ({@code h_id})
 */
public record DialogKey(long hEntry, long hId) {

  /** {@code h_entry:h_id}, the form used as a server id on events. */
  @Override
  public String toString() {
    return hEntry + ":" + hId;
  }
}
