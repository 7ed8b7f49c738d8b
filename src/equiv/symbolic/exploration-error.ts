// A side does something on a feasible path that no run of it may do: an UNDEFINED system-register
// access, or running off the end of its program. That is an error in the input, found by the
// exploration, not a limit of the prover (ExplorationIncomplete): it is reported where it is, with
// the capability combination that reaches it, and `faultc equiv` exits 1.
export class ExplorationError extends Error {
  constructor(
    /** `file:line:col` (or `file:line`, `file`) of the instruction or statement. */
    readonly where: string,
    readonly reason: string,
    readonly caps: readonly string[],
  ) {
    super(`${where}: error: ${reason} (capabilities: ${[...caps].sort().join(", ") || "none"})`);
    this.name = "ExplorationError";
  }
}
