// The HINT-space instructions (HINT #imm, imm = CRm:op2) the model executes, by number, with the
// names GNU as and objdump use. On the model's PE, which implements neither FEAT_PAuth, FEAT_BTI
// nor FEAT_RAS and does not speculate, each is a NOP (the Arm ARM defines these encodings as NOP
// when their feature is not implemented). Hints with an effect the model does not have (WFE,
// WFI, SEV, YIELD, ...) are not here: code using them is refused rather than run wrongly.
// HINT #0 is NOP itself and has its own instruction form.

export const NOP_HINTS: ReadonlyMap<number, string> = new Map([
  [7, "xpaclri"],
  [8, "pacia1716"],
  [10, "pacib1716"],
  [12, "autia1716"],
  [14, "autib1716"],
  [16, "esb"],
  [20, "csdb"],
  [24, "paciaz"],
  [25, "paciasp"],
  [26, "pacibz"],
  [27, "pacibsp"],
  [28, "autiaz"],
  [29, "autiasp"],
  [30, "autibz"],
  [31, "autibsp"],
  [32, "bti"],
  [34, "bti c"],
  [36, "bti j"],
  [38, "bti jc"],
]);

/** The hint number a name (as above, e.g. "bti c") stands for. */
export function hintNumber(name: string): number | undefined {
  for (const [n, text] of NOP_HINTS) if (text === name) return n;
  return undefined;
}
