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
   * A cache maintenance instruction by VA: "dc" (DC CIVAC, CVAC, CVAU; DC IVAC, which EL1 executes
   * as DC CIVAC while HCR_EL2.VM is 1) or "ic" (IC IVAU). Checked as a read (write = false);
   * stage 2 raises no Permission fault for "dc" (s2-permissions.ts).
   */
  readonly cacheMaintenance?: "dc" | "ic";
}
