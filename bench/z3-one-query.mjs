// The yardstick of a whole `faultc equiv` process (bench/table.ts): node, z3-solver's
// initialisation and one query over 64-bit vectors, then exit. Plain JavaScript, no tsx.
import { init } from "z3-solver";

const { Context } = await init();
const z3 = Context("yardstick");
const x = z3.BitVec.const("x", 64);
const solver = new z3.Solver();
// x * 3 + 7 == 0x1234 (mod 2^64): satisfiable, and not by the rewriter alone.
solver.add(x.mul(3).add(7).eq(z3.BitVec.val(0x1234n, 64)));
const verdict = await solver.check();
process.stdout.write(`${verdict}\n`);
process.exit(verdict === "sat" ? 0 : 1);
