// A feasibility question put to the solver without waiting for its answer (the explorers go on
// exploring meanwhile): the answer is read off once it is in, as it arrives in the order the
// checker hands answers over, so what an explorer does next never depends on timing.
import type { Checker, Witness } from "../solver.ts";
import type { BoolTerm } from "../term/term.ts";
import { ExplorationIncomplete } from "./paths.ts";

/** Whether some input satisfies the conditions, and a model of them when one does. */
export interface Feasibility {
  feasible: boolean;
  witness: Witness | undefined;
}

/** A question in flight: `answer` settles once it is handed over; then `result` or `error` is set. */
export interface Asked {
  answer: Promise<void>;
  result?: Feasibility;
  error?: unknown;
}

/** Asks whether `conds` are feasible (a witness the checker already holds may answer). `what` names them for the solver's giving up. */
export function askFeasible(checker: Checker, conds: readonly BoolTerm[], what: string): Asked {
  const asked: Asked = { answer: Promise.resolve() };
  asked.answer = checker.witness(conds, true).then(
    (r) => {
      if (r.result === "unknown") asked.error = new ExplorationIncomplete(`the solver could not decide a ${what}`);
      else asked.result = { feasible: r.result === "sat", witness: r.witness };
    },
    (e: unknown) => {
      asked.error = e;
    },
  );
  return asked;
}

/** Whether the answer is in (a question not asked counts as answered). */
export function answered(asked: Asked | undefined): boolean {
  return asked === undefined || asked.result !== undefined || asked.error !== undefined;
}

/** The answer, once in; the solver's giving up (or failing) is thrown here, to whoever needed the answer. */
export async function settled(asked: Asked): Promise<Feasibility> {
  await asked.answer;
  if (asked.error !== undefined) throw asked.error;
  return asked.result!;
}
