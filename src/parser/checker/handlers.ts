// Checks of handlers (statements, rules, outcomes), predicates, functions, constants and
// contracts.
import type * as A from "../ast.ts";
import { checkBinding, checkBindingsDistinct } from "./bindings.ts";
import { checkDecodeTables } from "./decode-tables.ts";
import { analyseRules } from "./coverage.ts";
import { resolveType } from "./declarations.ts";
import { ExprChecker, type ExprEnv, type Local, type Mode } from "./expressions.ts";
import type { SemanticModel } from "./model.ts";
import type { Reporter } from "./reporter.ts";
import { aKind, kindWord, type GlobalSymbol, type RecordSymbol } from "./symbols.ts";
import { boolTy, errorTy, showTy, type EnumSymbol, type Ty } from "./types.ts";

export class BodyChecker {
  private readonly signatures = new Map<GlobalSymbol, { params: Ty[]; result: Ty }>();

  constructor(
    private readonly file: A.RuleFile,
    private readonly globals: Map<string, GlobalSymbol>,
    private readonly r: Reporter,
    private readonly model: SemanticModel,
  ) {}

  // Made once: an environment is made per block, and a closure written in an object literal is
  // renamed by the TypeScript loader (keepNames) each time the literal is evaluated.
  private readonly signatureOf: ExprEnv["signature"] = (s) => this.signature(s);
  private readonly enumsOf: ExprEnv["enumsWithMember"] = (m) => this.enumsWithMember(m);

  private env(mode: Mode, locals: Map<string, Local>, record?: RecordSymbol): ExprEnv {
    return { globals: this.globals, locals, mode, record, r: this.r, model: this.model, signature: this.signatureOf, enumsWithMember: this.enumsOf };
  }

  /** Enums by member name, built on first use: looking through every global for each bare name made checking quadratic in the file's size. */
  private enumIndex: Map<string, EnumSymbol[]> | undefined;
  private enumsWithMember(member: string): EnumSymbol[] {
    if (this.enumIndex === undefined) {
      this.enumIndex = new Map();
      for (const s of this.globals.values()) {
        if (s.kind !== "enum") continue;
        for (const m of s.members.keys()) {
          const owners = this.enumIndex.get(m);
          if (owners === undefined) this.enumIndex.set(m, [s]);
          else owners.push(s);
        }
      }
    }
    return this.enumIndex.get(member) ?? [];
  }

  /** Parameter and result types of a predicate or function; resolved once, errors reported once. */
  private signature(sym: Extract<GlobalSymbol, { kind: "pred" | "fn" }>): { params: Ty[]; result: Ty } {
    let sig = this.signatures.get(sym);
    if (sig === undefined) {
      const quiet = sym.file !== this.file.path;
      const rep = quiet ? this.silentReporter() : this.r;
      sig = {
        params: sym.decl.params.map((p) => resolveType(p.type, this.globals, rep)),
        result: sym.kind === "pred" ? boolTy(false) : resolveType(sym.decl.result, this.globals, rep),
      };
      this.signatures.set(sym, sig);
    }
    return sig;
  }

  private silentReporter(): Reporter {
    return { diagnostics: [], file: "", error() {}, warning() {} } as unknown as Reporter;
  }

  checkAll(): void {
    for (const d of this.file.decls) {
      switch (d.kind) {
        case "const":
          this.checkConst(d);
          break;
        case "pred":
        case "fn":
          this.checkCallable(d);
          break;
        case "handler":
          this.checkHandler(d);
          break;
        case "contract":
          this.checkContract(d);
          break;
        case "binding":
          checkBinding(d, {
            globals: this.globals,
            r: this.r,
            file: this.file,
            inputs: () => new ExprChecker(this.env("contract", new Map(), undefined)),
            checkOutcome: (o) => this.checkOutcome(o),
          });
          break;
        case "source":
          checkStringSafe(d.text, this.r);
          break;
        default:
          break;
      }
    }
    checkBindingsDistinct(this.file.decls, this.r, this.file.path);
    checkDecodeTables(this.file, this.globals, this.r);
    this.checkRecursion();
  }

  private checkConst(d: A.ConstDecl): void {
    const sym = this.globals.get(d.name.text);
    if (sym?.kind !== "const" || sym.decl !== d) return;
    const checker = new ExprChecker(this.env("const", new Map()));
    if (d.type === undefined) {
      const t = checker.check(d.value);
      if (t.kind === "int") {
        sym.type = t;
        sym.value = t.value;
      } else if (t.kind !== "error") {
        this.r.error("not-constant", d.value.range, `a constant without a type must be an integer; give '${d.name.text}' a width`);
      }
      return;
    }
    const ty = resolveType(d.type, this.globals, this.r);
    if (ty.kind !== "bits") return;
    const t = checker.checkBits(d.value, ty.width, `constant ${d.name.text}`);
    if (t.kind === "error") return;
    if (!checker.isConstant(d.value)) {
      this.r.error("not-constant", d.value.range, `the value of constant ${d.name.text} must be known when the rules are compiled`);
      return;
    }
    sym.type = ty;
    sym.value = checker.constantValue(d.value);
  }

  private params(params: A.Param[], tys: Ty[]): Map<string, Local> {
    const locals = new Map<string, Local>();
    params.forEach((p, i) => {
      if (locals.has(p.name.text)) this.r.error("duplicate-name", p.name.range, `parameter '${p.name.text}' is already declared`);
      else if (this.globals.has(p.name.text)) this.r.error("duplicate-name", p.name.range, `parameter '${p.name.text}' hides the ${kindWord(this.globals.get(p.name.text)!)} of that name`);
      locals.set(p.name.text, { name: p.name.text, ty: tys[i], decl: p });
    });
    return locals;
  }

  private checkCallable(d: A.PredDecl | A.FnDecl): void {
    const sym = this.globals.get(d.name.text);
    if ((sym?.kind !== "pred" && sym?.kind !== "fn") || sym.decl !== d) return;
    const sig = this.signature(sym);
    sig.params.forEach((t, i) => {
      if (t.kind !== "bits" && t.kind !== "error") this.r.error("not-a-type", d.params[i].type.range, "parameters are bit-vectors");
    });
    const checker = new ExprChecker(this.env("pure", this.params(d.params, sig.params)));
    if (d.kind === "pred") checker.checkBool(d.body);
    else if (sig.result.kind === "bits") checker.checkBits(d.body, sig.result.width, `the result of ${d.name.text}`);
  }

  /** Predicates and functions are expanded inline by every backend, so they may not recurse. */
  private checkRecursion(): void {
    const callees = (e: A.Expr, out: string[]): void => {
      switch (e.kind) {
        case "call":
          out.push(e.callee.text);
          for (const a of e.args) callees(a, out);
          break;
        case "field":
        case "slice":
          callees(e.target, out);
          break;
        case "unary":
          callees(e.operand, out);
          break;
        case "binary":
          callees(e.left, out);
          callees(e.right, out);
          break;
        case "in":
          callees(e.operand, out);
          if (e.set.kind === "setLiteral") for (const x of e.set.elements) callees(x, out);
          break;
        case "at":
          callees(e.address, out);
          break;
        default:
          break;
      }
    };
    const own = this.file.decls.filter((d): d is A.PredDecl | A.FnDecl => d.kind === "pred" || d.kind === "fn");
    const ownNames = new Set(own.map((d) => d.name.text));
    const graph = new Map<string, string[]>();
    for (const d of own) {
      const out: string[] = [];
      callees(d.body, out);
      graph.set(d.name.text, out.filter((n) => ownNames.has(n)));
    }
    const cyclic = onCycles(graph);
    for (const d of own) {
      if (this.r.full) break;
      const path = cyclic.has(d.name.text) ? findCycle(d.name.text, graph) : undefined;
      if (path !== undefined) this.r.error("recursion", d.name.range, `${d.name.text} calls itself: ${path.join(" -> ")}`);
    }
  }

  // ------------------------------------------------------------ handlers

  private checkHandler(d: A.HandlerDecl): void {
    const recSym = this.globals.get(d.record.text);
    let record: RecordSymbol | undefined;
    if (recSym === undefined) this.r.error("undefined-name", d.record.range, `unknown record '${d.record.text}'`);
    else if (recSym.kind !== "recordDecl") this.r.error("not-a-type", d.record.range, `'${d.record.text}' is ${aKind(recSym)}, not a record`);
    else record = recSym;
    const ruleNames = new Map<string, A.Name>();
    this.checkBlock(d.body, new Map(), record, ruleNames, d.range);
  }

  /** Checks a statement list; every path through it must end in an outcome. */
  private checkBlock(
    body: A.Stmt[],
    outer: Map<string, Local>,
    record: RecordSymbol | undefined,
    ruleNames: Map<string, A.Name>,
    blockRange: A.Range,
  ): void {
    const locals = new Map(outer);
    const checker = new ExprChecker(this.env("handler", locals));
    let ended: A.Stmt | undefined;
    for (const s of body) {
      if (ended !== undefined) {
        this.r.error("unreachable-statement", s.range, "this statement is never reached: the path ended before it");
        break;
      }
      switch (s.kind) {
        case "let": {
          const name = s.name.text;
          const clash = locals.get(name) ?? this.globals.get(name);
          if (clash !== undefined) {
            this.r.error("duplicate-name", s.name.range, `'${name}' is already declared${"kind" in clash ? ` as ${aKind(clash)}` : ""}`);
          }
          let ty: Ty;
          if (s.value.kind === "at") ty = checker.check(s.value);
          else if (s.type !== undefined) {
            const declared = resolveType(s.type, this.globals, this.r);
            ty = declared.kind === "bits" ? checker.checkBits(s.value, declared.width, `'${name}'`) : errorTy;
            if (ty.kind === "bits") ty = declared;
          } else {
            ty = checker.check(s.value);
            if (ty.kind === "int") {
              this.r.error("needs-width", s.value.range, `'${name}' needs a width: write \`let ${name} : N = ...\``);
              ty = errorTy;
            } else if (ty.kind === "family") {
              this.r.error("enum-family-needs-level", s.value.range, `${ty.enumSym.name}.${ty.name} names several values; pick a level`);
              ty = errorTy;
            }
          }
          if (s.value.kind !== "at") this.noNestedAt(s.value);
          locals.set(name, { name, ty, decl: s });
          break;
        }
        case "record": {
          this.noNestedAt(s.value);
          const field = record?.fields.get(s.field.text);
          if (record !== undefined && field === undefined) {
            this.r.error("unknown-field", s.field.range, `record ${record.name} has no field '${s.field.text}'`);
            checker.check(s.value);
          } else if (field !== undefined && field.type.kind === "bits") {
            checker.checkBits(s.value, field.type.width, `field ${s.field.text}`);
          } else checker.check(s.value);
          break;
        }
        case "outcome":
          this.checkOutcome(s.outcome);
          ended = s;
          break;
        case "rules":
          this.checkRules(s, locals, record, ruleNames);
          ended = s;
          break;
      }
    }
    if (ended === undefined) {
      const last = body.at(-1);
      const at = last?.range ?? { start: blockRange.end, end: blockRange.end };
      this.r.error("missing-outcome", at, "this path ends without an outcome: end it with `exit`, `retry`, `handoff` or a `rules` block");
    }
  }

  private noNestedAt(x: A.Expr): void {
    if (x.kind === "at") {
      this.r.error("effect-not-allowed", x.range, "an address translation must be the whole value of a `let`, so that its order is explicit");
      return;
    }
    if (x.kind === "field" || x.kind === "slice") this.noNestedAt(x.target);
    else if (x.kind === "unary") this.noNestedAt(x.operand);
    else if (x.kind === "binary") {
      this.noNestedAt(x.left);
      this.noNestedAt(x.right);
    } else if (x.kind === "call") for (const a of x.args) this.noNestedAt(a);
    else if (x.kind === "in") this.noNestedAt(x.operand);
  }

  private checkOutcome(o: A.Outcome): void {
    if (o.kind === "exit") {
      const sym = this.globals.get(o.code.text);
      if (sym === undefined) this.r.error("undefined-name", o.code.range, `unknown exit code '${o.code.text}'`);
      else if (sym.kind !== "exitcode") this.r.error("not-an-exit-code", o.code.range, `'${o.code.text}' is ${aKind(sym)}, not an exit code`);
    } else if (o.kind === "handoff") {
      const sym = this.globals.get(o.target.text);
      if (sym === undefined) this.r.error("undefined-name", o.target.range, `unknown handler '${o.target.text}': declare it with \`external ${o.target.text};\``);
      else if (sym.kind !== "external") this.r.error("not-an-external", o.target.range, `'${o.target.text}' is ${aKind(sym)}, not an external handler`);
    }
  }

  private checkRules(s: A.RulesStmt, locals: Map<string, Local>, record: RecordSymbol | undefined, ruleNames: Map<string, A.Name>): void {
    const checker = new ExprChecker(this.env("handler", locals));
    if (s.rules.length === 0) {
      this.r.error("missing-outcome", s.range, "an empty rules block has no outcome");
      return;
    }
    for (const rule of s.rules) {
      const prior = ruleNames.get(rule.name.text);
      if (prior !== undefined) {
        this.r.error("duplicate-name", rule.name.range, `a rule named '${rule.name.text}' already exists in this handler`, [{ message: "first declared here", file: this.file.path, range: prior.range }]);
      } else ruleNames.set(rule.name.text, rule.name);
      if (rule.guard !== undefined) {
        checker.checkBool(rule.guard);
        this.noNestedAt(rule.guard);
      }
      this.checkBlock(rule.body, locals, record, ruleNames, rule.range);
    }
    const coverage = analyseRules(s.rules, this.model);
    for (const { rule, because } of coverage.neverMatches) {
      const message = because.length === 0 ? `rule '${rule.name.text}' can never match: its condition is false` : `rule '${rule.name.text}' can never match: ${because.map((b) => `'${b.name.text}'`).join(" and ")} before it ${because.length === 1 ? "matches" : "match"} every input it would`;
      this.r.error("rule-never-matches", rule.name.range, message, because.map((b) => ({ message: `'${b.name.text}' is here`, file: this.file.path, range: b.name.range })));
    }
    if (coverage.mayFallThrough) {
      const last = s.rules[s.rules.length - 1];
      const closing = { ...s.range.end, column: s.range.end.column - 1, offset: s.range.end.offset - 1 };
      this.r.error("missing-outcome", { start: closing, end: s.range.end }, `an input that matches no rule here has no outcome: add \`rule ... otherwise\` after '${last.name.text}'`);
    }
  }

  // ------------------------------------------------------------ contracts

  /** The first contract of each handler, built on first use (a search per contract was quadratic). */
  private firstContracts: Map<string, A.ContractDecl> | undefined;
  private firstContract(handler: string): A.ContractDecl | undefined {
    if (this.firstContracts === undefined) {
      this.firstContracts = new Map();
      for (const x of this.file.decls) if (x.kind === "contract" && !this.firstContracts.has(x.handler.text)) this.firstContracts.set(x.handler.text, x);
    }
    return this.firstContracts.get(handler);
  }

  private checkContract(d: A.ContractDecl): void {
    const h = this.globals.get(d.handler.text);
    if (h === undefined) {
      this.r.error("undefined-name", d.handler.range, `unknown handler '${d.handler.text}'`);
      return;
    }
    if (h.kind !== "handler") {
      this.r.error("not-a-handler", d.handler.range, `'${d.handler.text}' is ${aKind(h)}, not a handler`);
      return;
    }
    const other = this.firstContract(d.handler.text);
    if (other !== undefined && other !== d) {
      this.r.error("duplicate-name", d.handler.range, `handler ${d.handler.text} already has a contract`, [{ message: "the first one", file: this.file.path, range: other.handler.range }]);
    }
    const recSym = this.globals.get(h.decl.record.text);
    const record = recSym?.kind === "recordDecl" ? recSym : undefined;
    // Assumptions speak of the inputs only: the registers on entry.
    const inputs = new ExprChecker(this.env("contract", new Map(), undefined));
    for (const a of d.assumptions) inputs.checkBool(a);
    const seen = new Map<string, A.Outcome>();
    const outcomeKey = (o: A.Outcome) => (o.kind === "exit" ? `exit ${o.code.text}` : o.kind === "handoff" ? `handoff ${o.target.text}` : "retry");
    const conditions = new ExprChecker(this.env("contract", new Map(), record));
    for (const c of d.clauses) {
      this.checkOutcome(c.outcome);
      const key = outcomeKey(c.outcome);
      if (seen.has(key)) this.r.error("duplicate-name", c.outcome.range, `the contract already says what is observed on ${key}`);
      seen.set(key, c.outcome);
      const fields = new Set<string>();
      for (const f of c.fields) {
        if (record !== undefined && !record.fields.has(f.field.text)) {
          this.r.error("unknown-field", f.field.range, `record ${record.name} has no field '${f.field.text}'`);
        }
        if (fields.has(f.field.text)) this.r.error("duplicate-name", f.field.range, `'${f.field.text}' is already observed on ${key}`);
        fields.add(f.field.text);
        if (f.condition !== undefined) conditions.checkBool(f.condition);
      }
    }
  }
}

/** Text from a rule file ends up in generated comments and strings: keep it to safe characters. */
export function checkStringSafe(s: A.StringValue, r: Reporter): void {
  const bad = /[\u0000-\u001f\u007f\u2028\u2029`]|\*\/|\$\{/.exec(s.value);
  if (bad !== null) {
    const ch = bad[0];
    const what = ch.length > 1 ? `'${ch}'` : `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
    r.error("unsafe-string", s.range, `strings may not contain ${what}: it could break out of the generated code`);
  }
}

/**
 * A path from `start` back to itself, the first a depth-first search in call order finds.
 * Iterative, so that a long chain of calls cannot exhaust the stack.
 */
function findCycle(start: string, graph: Map<string, string[]>): string[] | undefined {
  const visiting = new Set<string>([start]);
  const stack: { node: string; next: number }[] = [{ node: start, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const out = graph.get(top.node) ?? [];
    if (top.next >= out.length) {
      stack.pop();
      continue;
    }
    const m = out[top.next++];
    if (m === start) return [...stack.map((f) => f.node), m];
    if (visiting.has(m)) continue;
    visiting.add(m);
    stack.push({ node: m, next: 0 });
  }
  return undefined;
}

/** The nodes that lie on some cycle (Tarjan's strongly connected components, iterative). */
function onCycles(graph: Map<string, string[]>): Set<string> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const components: string[] = [];
  const cyclic = new Set<string>();
  let counter = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    components.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const out = graph.get(top.node) ?? [];
      if (top.next < out.length) {
        const m = out[top.next++];
        if (!index.has(m)) {
          index.set(m, counter);
          low.set(m, counter++);
          components.push(m);
          onStack.add(m);
          work.push({ node: m, next: 0 });
        } else if (onStack.has(m)) {
          low.set(top.node, Math.min(low.get(top.node)!, index.get(m)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const scc: string[] = [];
        let n: string;
        do {
          n = components.pop()!;
          onStack.delete(n);
          scc.push(n);
        } while (n !== top.node);
        const selfLoop = out.includes(top.node);
        if (scc.length > 1 || selfLoop) for (const x of scc) cyclic.add(x);
      }
    }
  }
  return cyclic;
}

export { showTy };
