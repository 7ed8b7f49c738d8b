// S-expressions as SMT-LIB 2 writes them: the solvers' answers (`(get-value ...)`) and the values
// z3-solver prints, read into nested arrays.
export type Sexpr = string | Sexpr[];

/** Every s-expression in `text`, in order. Quoted symbols (|a b|) and strings are atoms, quotes kept. */
export function parseSexprs(text: string): Sexpr[] {
  const top: Sexpr[] = [];
  const stack: Sexpr[][] = [top];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === 40 /* ( */) {
      const list: Sexpr[] = [];
      stack[stack.length - 1].push(list);
      stack.push(list);
      i++;
    } else if (ch === 41 /* ) */) {
      if (stack.length === 1) throw new SexprError(`unbalanced ')' at ${i}`);
      stack.pop();
      i++;
    } else if (ch === 32 || ch === 10 || ch === 13 || ch === 9) i++;
    else if (ch === 59 /* ; */) {
      while (i < n && text.charCodeAt(i) !== 10) i++;
    } else if (ch === 124 /* | */ || ch === 34 /* " */) {
      const close = text.indexOf(text[i], i + 1);
      if (close < 0) throw new SexprError(`unterminated ${text[i]} at ${i}`);
      stack[stack.length - 1].push(text.slice(i, close + 1));
      i = close + 1;
    } else {
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === 40 || c === 41 || c === 32 || c === 10 || c === 13 || c === 9) break;
        j++;
      }
      stack[stack.length - 1].push(text.slice(i, j));
      i = j;
    }
  }
  if (stack.length !== 1) throw new SexprError("unbalanced '('");
  return top;
}

export function parseSexpr(text: string): Sexpr {
  const all = parseSexprs(text);
  if (all.length !== 1) throw new SexprError(`expected one s-expression, got ${all.length}`);
  return all[0];
}

export class SexprError extends Error {}
