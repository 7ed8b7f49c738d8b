// The access a translation is made for (a slice of the Arm ARM's AccessDescriptor).

/** DATA: a load or store; IFETCH: an instruction fetch; AT: an address translation instruction. */
export type AccessKind = "DATA" | "IFETCH" | "AT";

export interface AccessDescriptor {
  readonly kind: AccessKind;
  /** A store, or AT S1E1W. */
  readonly write: boolean;
  /** Exception level whose permissions apply (AT S1E1* checks EL1). */
  readonly el: 0 | 1;
  /** False for AT S1E1A: the walk is made, no permission is checked. Default true. */
  readonly checkPermissions?: boolean;
  /**
   * A cache maintenance instruction by VA: "dc" (AccType_DC: DC CIVAC, CVAC, CVAU, checked as
   * reads, and DC IVAC, checked as a write) or "ic" (AccType_IC: IC IVAU, a read). Above EL0, a
   * DC that is not a write raises no stage-2 Permission fault (s2-permissions.ts); at stage 1 it
   * raises none either, which the read check gives here (EL1 may read whatever it maps: no PAN).
   */
  readonly cacheMaintenance?: "dc" | "ic";
}
