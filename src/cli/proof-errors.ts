// How the commands that run a proof (equiv, diff) report what stops one: a side's located error
// or a pairing of records (exit 1), a usage mistake (exit 2, thrown as UsageError), and a solver
// that is missing or failed (exit 3, no verdict). Written once so every proof command maps the
// same errors the same way; anything else is not a user's mistake and is rethrown.
import { FieldPairingError } from "../equiv/fields.ts";
import { IncomparableSides } from "../equiv/prove.ts";
import { SolverChoiceError } from "../equiv/smt/backend.ts";
import { SolverFailure } from "../equiv/smt/process.ts";
import { ExplorationError } from "../equiv/symbolic/exploration-error.ts";
import { SideError } from "../sides/index.ts";
import { UsageError } from "./args.ts";

/** The exit status for `e`, after writing its message; throws UsageError or `e` itself otherwise. */
export function proofErrorExit(e: unknown, command: string, stderr: (s: string) => void): number {
  if (e instanceof SideError || e instanceof FieldPairingError) {
    if (e.usage) throw new UsageError(e.message);
    // A side's errors are located in its file; the pairing of two records has no one place.
    stderr(e instanceof FieldPairingError ? `faultc ${command}: ${e.message}\n` : `${e.message}\n`);
    return 1;
  }
  if (e instanceof IncomparableSides) {
    stderr(`faultc ${command}: ${e.message}\n`);
    return 1;
  }
  if (e instanceof ExplorationError) {
    stderr(`${e.message}\n`);
    return 1;
  }
  // The solver asked for is missing, or it failed: no verdict, said why.
  if (e instanceof SolverChoiceError || e instanceof SolverFailure) {
    stderr(`faultc ${command}: ${e.message}\n`);
    return 3;
  }
  throw e;
}
