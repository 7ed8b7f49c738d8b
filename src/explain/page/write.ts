// The explain page: one self-contained HTML file, its script the TypeScript of src/explain bundled
// by esbuild when the page is written (so there is no second copy of the decoders or the
// executor), the bundled rule files' IR embedded as data. `faultc explain --html` writes it;
// docs/explain.html is the same page (npm run docs), checked current by test/explain/page.test.ts.
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { bundledRuleFiles } from "../../cli/bundled.ts";
import type { Output } from "../../cli/command.ts";
import { compileRuleFile } from "../../codegen/compile.ts";
import { writeFileAtomic } from "../../io/atomic-write.ts";
import { irToJson } from "./ir-data.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** The page's script: page/main.ts and what it imports, for the browser, minified, no source paths of this machine. */
async function pageScript(): Promise<string> {
  // Loaded here, not with the module: every command's module is loaded for `faultc --help`.
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [path.join(ROOT, "src/explain/page/main.ts")],
    absWorkingDir: ROOT,
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

/** `</script` would end the script element the JSON is in; JSON strings allow `<\/` for `</`. */
function jsonInScript(text: string): string {
  return text.replace(/<\//g, "<\\/");
}

/** esbuild writes `</script` in strings as `<\/script`; anywhere else it would end the element. */
function scriptInScript(text: string): string {
  if (/<\/script/i.test(text)) throw new Error("internal: the page's script contains </script");
  return text;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:1.5em;max-width:70em;color:#111}
textarea{width:100%;height:9em;font-family:monospace}
table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #bbb;padding:2px 6px;text-align:left;font-family:monospace}
#error{color:#a00;white-space:pre-wrap;font-family:monospace}#path,#json{white-space:pre;font-family:monospace;overflow-x:auto;background:#f6f6f6;padding:.5em}
#caps label{margin-right:1em;font-size:90%}`;

/** The whole page. `files` are the rule files whose IR it embeds (default: every bundled one). */
export async function explainPageHtml(files: readonly string[] = bundledRuleFiles(path.relative(process.cwd(), path.join(ROOT, "dsl")) || "dsl")): Promise<string> {
  const modules = files.map((f) => compileRuleFile(f).module);
  const script = await pageScript();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>faultc explain</title>
<style>${STYLE}</style>
</head>
<body>
<h1>faultc explain</h1>
<p>Paste an ESR value or a kernel log excerpt ("Mem abort info:", KVM's messages, ESR_EL2=..., FAR_EL2=...). Everything runs in this page; nothing is sent anywhere.</p>
<textarea id="input" spellcheck="false">0x93c58005</textarea>
<p><label>Rule file: <select id="rules"></select></label></p>
<div id="caps"></div>
<div id="error"></div>
<h2>Fields</h2>
<div id="decode"></div>
<h2>Decision path</h2>
<div id="path"></div>
<details><summary>JSON</summary><div id="json"></div></details>
<script type="application/json" id="faultc-ir">${jsonInScript(irToJson(modules))}</script>
<script>${scriptInScript(script)}</script>
</body>
</html>
`;
}

/** Writes the page to `file` atomically, or to standard output. */
export async function writeExplainPage(file: string | undefined, out: Output): Promise<void> {
  const html = await explainPageHtml();
  if (file === undefined) out.stdout(html);
  else await writeFileAtomic(file, html);
}
