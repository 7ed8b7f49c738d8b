// The --solver option of the commands that prove (equiv, diff): a name faultc does not know, or a
// native solver asked for by name that is not on PATH, is a usage error (exit 2), whichever command.
import { solverChoice, SolverChoiceError, type SolverChoice } from "../equiv/smt/backend.ts";
import { UsageError } from "./args.ts";

export function solverOption(flag: string | true | undefined): SolverChoice {
  try {
    return solverChoice(typeof flag === "string" ? flag : undefined);
  } catch (e) {
    if (e instanceof SolverChoiceError) throw new UsageError(e.message);
    throw e;
  }
}
