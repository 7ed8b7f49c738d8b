// Loads rule files and the files they import, in dependency order, and checks each once.
// Relative import paths are relative to the importing file. Missing imports and import cycles are
// located errors at the `import` that causes them.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { readFailure } from "../io/read-failure.ts";
import type { RuleFile } from "./ast.ts";
import { collectGlobals } from "./checker/declarations.ts";
import { BodyChecker, checkStringSafe } from "./checker/handlers.ts";
import { emptyModel, type SemanticModel } from "./checker/model.ts";
import { Reporter } from "./checker/reporter.ts";
import { declName, type GlobalSymbol } from "./checker/symbols.ts";
import { sortDiagnostics, type Diagnostic } from "./diagnostics.ts";
import { fileTooLarge, parseText } from "./parse.ts";
import { decodeUtf8, SourceText } from "./source.ts";

export interface CheckedFile {
  path: string;
  ast: RuleFile;
  /** Every name visible in the file: its own declarations and those of its direct imports. */
  globals: Map<string, GlobalSymbol>;
  /** The file's own declarations, which are what importers see. */
  exports: Map<string, GlobalSymbol>;
  model: SemanticModel;
  /** Resolved paths of the files it imports directly. */
  imports: string[];
}

export interface Workspace {
  files: Map<string, CheckedFile>;
  sources: Map<string, SourceText>;
  diagnostics: Diagnostic[];
}

/**
 * Reads a file's bytes; when it cannot be read, why ("no such file", "is a directory", ...), or
 * undefined for no reason given. Replaceable in tests.
 */
export type ReadBytes = (file: string) => Uint8Array | string | undefined;

export const readFromDisk: ReadBytes = (file) => {
  try {
    return readFileSync(file);
  } catch (e) {
    return readFailure(e);
  }
};

type FileState = { status: "checking" } | { status: "done"; checked: CheckedFile | undefined };

export class WorkspaceLoader {
  private readonly state = new Map<string, FileState>();
  private readonly ws: Workspace = { files: new Map(), sources: new Map(), diagnostics: [] };

  constructor(private readonly read: ReadBytes = readFromDisk) {}

  /** Loads and checks each of `paths` and everything they import. */
  load(paths: string[]): Workspace {
    for (const p of paths) this.loadFile(path.normalize(p), undefined);
    this.ws.diagnostics = sortDiagnostics(this.ws.diagnostics);
    return this.ws;
  }

  /** Checks a text that is not on disk (the fuzzer, the editor), with its imports read from disk. */
  loadText(file: string, text: string): Workspace {
    this.checkText(path.normalize(file), text);
    this.ws.diagnostics = sortDiagnostics(this.ws.diagnostics);
    return this.ws;
  }

  private loadFile(file: string, importedBy: { file: string; range: RuleFile["range"] } | undefined): CheckedFile | undefined {
    const st = this.state.get(file);
    if (st?.status === "done") return st.checked;
    const bytes = this.read(file);
    if (bytes === undefined || typeof bytes === "string") {
      if (importedBy === undefined) {
        const why = bytes === undefined ? "" : ` (${bytes})`;
        this.ws.diagnostics.push({ severity: "error", code: "file-not-found", message: `cannot read '${file}'${why}`, file, range: new SourceText(file, "").range(0, 0) });
      }
      return undefined;
    }
    const tooLarge = fileTooLarge(file, bytes.length);
    if (tooLarge !== undefined) {
      this.ws.diagnostics.push(tooLarge);
      this.state.set(file, { status: "done", checked: undefined });
      return undefined;
    }
    const decoded = decodeUtf8(bytes);
    if (!decoded.ok) {
      const pos = { line: decoded.line, column: decoded.column, offset: 0 };
      this.ws.diagnostics.push({ severity: "error", code: "invalid-utf8", message: `invalid UTF-8 (byte ${decoded.byteOffset} of the file)`, file, range: { start: pos, end: { ...pos, column: pos.column + 1 } } });
      this.state.set(file, { status: "done", checked: undefined });
      return undefined;
    }
    return this.checkText(file, decoded.text);
  }

  private checkText(file: string, text: string): CheckedFile | undefined {
    this.state.set(file, { status: "checking" });
    const parsed = parseText(file, text);
    this.ws.sources.set(file, parsed.source);
    this.ws.diagnostics.push(...parsed.diagnostics);
    if (parsed.ast === undefined) {
      this.state.set(file, { status: "done", checked: undefined });
      return undefined;
    }
    const ast = parsed.ast;
    const r = new Reporter(file);

    // Imports first: their declarations are this file's scope.
    const imported = new Map<string, GlobalSymbol>();
    const imports: string[] = [];
    for (const d of ast.decls) {
      if (d.kind !== "import") continue;
      checkStringSafe(d.path, r);
      const target = importTarget(file, d.path.value);
      const st = this.state.get(target);
      if (st?.status === "checking") {
        const cycle = [...this.cyclePath(target, file)];
        r.error("import-cycle", d.path.range, `import cycle: ${cycle.join(" -> ")}`);
        continue;
      }
      if (typeof this.read(target) !== "object" && st === undefined) {
        r.error("import-not-found", d.path.range, `cannot find imported file '${d.path.value}' (looked for ${target})`);
        continue;
      }
      this.importStack.push(file);
      const dep = this.loadFile(target, { file, range: d.range });
      this.importStack.pop();
      if (dep === undefined) {
        if (this.state.get(target)?.status === "done") r.error("import-has-errors", d.path.range, `imported file '${d.path.value}' has errors`);
        continue;
      }
      imports.push(target);
      for (const [name, sym] of dep.exports) {
        const prior = imported.get(name);
        if (prior !== undefined && prior !== sym) {
          r.error("duplicate-name", d.path.range, `'${name}' is declared both in ${prior.file} and in ${sym.file}`);
          continue;
        }
        imported.set(name, sym);
      }
    }

    const model = emptyModel();
    const globals = collectGlobals(ast, { symbols: imported }, r);
    new BodyChecker(ast, globals, r, model).checkAll();
    const exports = new Map<string, GlobalSymbol>();
    for (const d of ast.decls) {
      const n = declName(d);
      const sym = n === undefined ? undefined : globals.get(n.text);
      if (n !== undefined && sym !== undefined && sym.file === file) exports.set(n.text, sym);
    }
    this.ws.diagnostics.push(...r.diagnostics);
    const checked: CheckedFile = { path: file, ast, globals, exports, model, imports };
    const ok = !r.diagnostics.some((x) => x.severity === "error");
    this.state.set(file, { status: "done", checked: ok ? checked : undefined });
    if (ok) this.ws.files.set(file, checked);
    return ok ? checked : undefined;
  }

  private readonly importStack: string[] = [];

  private *cyclePath(target: string, from: string): Generator<string> {
    const stack = [...this.importStack, from];
    const start = stack.indexOf(target);
    for (const f of stack.slice(start < 0 ? 0 : start)) yield f;
    yield target;
  }
}

/** The file an import names: an absolute path as it is, a relative one from the importing file's folder. */
function importTarget(importer: string, imported: string): string {
  return path.normalize(path.isAbsolute(imported) ? imported : path.join(path.dirname(importer), imported));
}

/** Convenience: load and check files from disk. */
export function checkFiles(paths: string[], read: ReadBytes = readFromDisk): Workspace {
  return new WorkspaceLoader(read).load(paths);
}
