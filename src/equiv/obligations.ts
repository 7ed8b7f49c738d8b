// The obligations of an equivalence verdict, in the order they are checked and reported (as
// Alive2 orders its checks): the first that fails is the one a report names.
export interface Obligation {
  id: 1 | 2 | 3 | 4;
  name: string;
  text: string;
}

export const OBLIGATIONS: readonly Obligation[] = [
  { id: 1, name: "outcome", text: "the same outcome (exit and its code, re-entry to the guest, or the handler handed over to)" },
  { id: 2, name: "recorded fields", text: "the same value in each observed field of the vcpu fault record" },
  { id: 3, name: "system registers", text: "the same system registers after the handler (PAR_EL1 restored, nothing else changed)" },
  { id: 4, name: "general registers", text: "an assembly side restores x0-x30 and SP to re-enter the guest; a function keeps x19-x29 and SP" },
];
