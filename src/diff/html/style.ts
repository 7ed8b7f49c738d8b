// The stylesheet of the diff page (page.ts), inline so that the page is one file. The highlight
// classes are what the script sets: `hl` on the graph elements of the selected row's witness path,
// `hl-class` on those of the class's other paths, `selected` on the row.
export const DIFF_PAGE_CSS = `
:root { --hl: #d1242f; --hl-fill: #ffe4e1; --class: #d9822b; --class-fill: #fff1dc; --line: #d0d7de; --muted: #57606a; }
* { box-sizing: border-box; }
body { margin: 0; padding: 16px 20px 40px; font: 14px/1.45 system-ui, sans-serif; color: #1f2328; background: #fff; }
h1 { font-size: 20px; margin: 0 0 6px; }
h2 { font-size: 16px; margin: 22px 0 8px; }
h3 { font-size: 14px; margin: 10px 0 6px; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
.verdict { font-weight: 600; }
.verdict.different { color: var(--hl); }
.verdict.same { color: #1a7f37; }
.verdict.unknown { color: #9a6700; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; }
table.rows { width: 100%; }
table.rows th, table.rows td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
table.rows thead th { background: #f6f8fa; }
table.rows tbody tr { cursor: pointer; }
table.rows tbody tr:hover { background: #f6f8fa; }
table.rows tbody tr:focus { outline: 2px solid #0969da; outline-offset: -2px; }
table.rows tbody tr.selected { background: var(--hl-fill); }
.partial { color: #9a6700; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; align-items: start; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; overflow: auto; max-height: 80vh; }
figcaption { font-weight: 600; margin-bottom: 6px; }
figcaption { position: sticky; left: 0; }
figure svg { display: block; }
body.fit figure svg { max-width: 100%; height: auto; }
.no-graph { color: var(--muted); }
.graph g.edge.hl path, .graph g.edge.hl polygon { stroke: var(--hl); stroke-width: 3px; }
.graph g.edge.hl polygon { fill: var(--hl); }
.graph g.edge.hl text { fill: var(--hl); font-weight: bold; }
.graph g.node.hl polygon, .graph g.node.hl path, .graph g.node.hl ellipse { stroke: var(--hl); stroke-width: 3px; fill: var(--hl-fill); }
.graph g.edge.hl-class:not(.hl) path, .graph g.edge.hl-class:not(.hl) polygon { stroke: var(--class); stroke-width: 2px; }
.graph g.node.hl-class:not(.hl) polygon, .graph g.node.hl-class:not(.hl) path, .graph g.node.hl-class:not(.hl) ellipse { stroke: var(--class); stroke-width: 2px; fill: var(--class-fill); }
.legend { color: var(--muted); margin: 4px 0 8px; }
.legend .w { color: var(--hl); font-weight: 600; }
.legend .c { color: var(--class); font-weight: 600; }
pre.scenario { background: #f6f8fa; padding: 8px; border-radius: 6px; white-space: pre-wrap; word-break: break-all; margin: 0; }
table.trace { width: 100%; }
table.trace td, table.trace th { border-bottom: 1px solid #eaeef2; padding: 2px 6px; text-align: left; vertical-align: top; }
table.trace td.loc { color: var(--muted); white-space: nowrap; }
table.trace tr.rule td { background: var(--hl-fill); }
.note { color: var(--muted); }
`;
