// Syntax errors at the edges of an operand: after a name, a call, a field access or a slice,
// after prefix operators, between operators, in sets and in every place an expression stands.
// The expression rules skip a loop or an option when its next token cannot enter it
// (grammar.ts); the diagnostics here, recorded before they did, must not change with that or
// any later speed-up. Each entry: the source, then each diagnostic as
// `line:col-line:col code message`.
import { describe, expect, it } from "vitest";
import { parseText } from "../../src/parser/parse.ts";

const cases: [source: string, diagnostics: string[]][] = [
  ["pred p(x: 64) = x x;", ["1:18-1:19 syntax-error expected ';' after 'x' in a predicate (found 'x')"]],
  ["pred p(x: 64) = -;", ["1:18-1:19 syntax-error unexpected ';' in an expression"]],
  ["pred p(x: 64) = !!x.;", ["1:21-1:22 syntax-error expected a name but found ';' in a field access"]],
  ["pred p(x: 64) = f(x, ;", ["1:22-1:23 syntax-error unexpected ';' in an expression"]],
  ["pred p(x: 64) = f(;", ["1:19-1:20 syntax-error expected ')' but found ';' in an expression"]],
  ["pred p(x: 64) = x[3:] == 1;", ["1:21-1:22 syntax-error expected a number but found ']' in an expression"]],
  ["pred p(x: 64) = x[;", ["1:19-1:20 syntax-error expected a number but found ';' in an expression"]],
  ["pred p(x: 64) = (x == 1 == 2);", ["1:25-1:27 syntax-error expected ')' but found '==' in an expression","1:29-1:30 syntax-error expected ';' after '2' in a predicate (found ')')"]],
  ["pred p(x: 64) = x == 1 != 2 && x;", ["1:23-1:24 syntax-error expected ';' after '1' in a predicate (found '!=')"]],
  ["pred p(x: 64) = x in {1 == 2};", ["1:25-1:27 syntax-error expected '}' but found '==' in a set","1:24-1:25 syntax-error expected ';' after '1' in a predicate (found '==')"]],
  ["pred p(x: 64) = x in {1, };", ["1:26-1:27 syntax-error unexpected '}' in an expression"]],
  ["pred p(x: 64) = x in {-1 | 2, ~3.F[0]};", []],
  ["pred p(x: 64) = x not y;", ["1:23-1:24 syntax-error expected 'in' but found 'y' in an expression"]],
  ["pred p(x: 64) = x in;", ["1:21-1:22 syntax-error unexpected ';' in a set"]],
  ["fn f(x: 64) : 64 = ~x.F[;", ["1:25-1:26 syntax-error expected a number but found ';' in an expression"]],
  ["fn f(x: 64) : 64 = x +;", ["1:23-1:24 syntax-error unexpected ';' in an expression"]],
  ["fn f(x: 64) : 64 = x + + y;", ["1:24-1:25 syntax-error unexpected '+' in an expression"]],
  ["fn f(x: 64) : 64 = x . . y;", ["1:24-1:25 syntax-error expected a name but found '.' in a field access"]],
  ["fn f(x: 64) : 64 = x.F G;", ["1:23-1:24 syntax-error expected ';' after 'F' in a function (found 'G')"]],
  ["fn f(x: 64) : 64 = x[1:0] [2];", []],
  ["fn f(x: 64) : 64 = (x;", ["1:22-1:23 syntax-error expected ')' but found ';' in an expression"]],
  ["fn f(x: 64) : 64 = x) + 1;", ["1:21-1:22 syntax-error expected ';' after 'x' in a function (found ')')"]],
  ["const C = 1 2;", ["1:12-1:13 syntax-error expected ';' after '1' in a constant (found '2')"]],
  ["const C = ;", ["1:11-1:12 syntax-error unexpected ';' in an expression"]],
  ["handler h records r { let a = x y; rules { rule r1 when a.b.c { retry; } rule r2 when { exit E; } } }", ["1:32-1:33 syntax-error expected ';' after 'x' in a let statement (found 'y')","1:87-1:88 syntax-error unexpected '{' in an expression"]],
  ["handler h records r { record f = read R or S when; exit E; }", ["1:50-1:51 syntax-error expected a name but found ';' in a register or operation name"]],
  ["handler h records r { let p = at S1E1R(x preserving PAR_EL1; retry; }", ["1:42-1:52 syntax-error expected ')' but found 'preserving' in an address translation"]],
  ["contract h { assume x == ; on retry { observe f when ; } on exit E { observe g } }", ["1:26-1:27 syntax-error unexpected ';' in an expression","1:54-1:55 syntax-error unexpected ';' in an expression","1:79-1:80 syntax-error expected ';' after 'g' in an observed field (found '}')"]],
  ["contract h { assume x.F[1] == 1 assume y; }", ["1:32-1:33 syntax-error expected ';' after '1' in an assumption (found 'assume')"]],
  ["pred p(x: 64) = !;\npred q(x: 64) = x == ;\nfn g(x: 64) : 64 = x.;", ["1:18-1:19 syntax-error unexpected ';' in an expression","2:22-2:23 syntax-error unexpected ';' in an expression","3:22-3:23 syntax-error expected a name but found ';' in a field access"]],
];

describe("syntax errors around operands", () => {
  it.each(cases)("%j", (source, expected) => {
    const diagnostics = parseText("t.fault", source).diagnostics.map((d) => `${d.range.start.line}:${d.range.start.column}-${d.range.end.line}:${d.range.end.column} ${d.code} ${d.message}`);
    expect(diagnostics).toEqual(expected);
  });
});
