// The live view's page (issue 16), as the server sends it: the HTML with every section already
// drawn from the current state (so it reads without its script), and its style sheet. The script
// (page/main.mts, built by tsconfig.web.json) then keeps each section up to date from /events.
// Everything it needs comes from the manager: no font, script or style from anywhere else.
import { renderSections, type RenderOptions } from './view-render.js';
import type { ViewState } from './view-types.js';

/** Where the page's script is served, as built under the web directory. */
export const PAGE_SCRIPT_PATH = '/page/main.mjs';
export const STYLE_PATH = '/style.css';

export function pageHtml(view: ViewState, options: RenderOptions = {}): string {
  const s = renderSections(view, options);
  // The cluster's sections are there only in the cluster's view: the manager's page has no
  // empty headings for what it cannot know.
  const cluster = view.cluster !== undefined;
  const skipToCommand = cluster ? '\n<a class="skip" href="#sequence">Skip to the current command</a>' : '';
  const clusterSections = cluster
    ? `
<section class="paths-area" aria-labelledby="h-paths"><h2 id="h-paths">Queries on the ring</h2><div id="paths">${s.paths}</div></section>
<section class="sequence-area" aria-labelledby="h-sequence"><h2 id="h-sequence">The current command, message by message</h2><div id="sequence">${s.sequence}</div></section>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>stormdht live view</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${STYLE_PATH}">
<script type="module" src="${PAGE_SCRIPT_PATH}"></script>
</head>
<body>
<a class="skip" href="#events">Skip to the event log</a>${skipToCommand}
<header>
<h1>stormdht live view</h1>
<div id="status" role="status">${s.status}</div>
<p class="controls"><button id="pause" type="button" aria-pressed="false">Pause updates</button> <span id="connection">not live: the page's script has not run</span></p>
</header>
<main>
<section class="dht-area" aria-labelledby="h-dht"><h2 id="h-dht">The DHT</h2><div id="dht">${s.dht}</div></section>
<section class="ring-area" aria-labelledby="h-ring"><h2 id="h-ring">The ring</h2>
<div class="ring-row"><figure id="ring">${s.ring}</figure><aside id="side">${s.side}</aside></div></section>${clusterSections}
<section aria-labelledby="h-records"><h2 id="h-records">Records per member</h2><div id="bars">${s.bars}</div><div id="ring-table">${s['ring-table']}</div></section>
<section aria-labelledby="h-traffic"><h2 id="h-traffic">Traffic</h2><div id="traffic">${s.traffic}</div></section>
<section aria-labelledby="h-events"><h2 id="h-events">Event log</h2><div id="events" class="scroll" tabindex="0" role="log" aria-labelledby="h-events">${s.events}</div></section>
</main>
</body>
</html>
`;
}

/** Light by default, dark when the system prefers it; suspect and dead peers greyed. */
export const PAGE_STYLE = `:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1f24; --muted: #5a6370; --line: #c8ced6; --panel: #f4f6f8;
  --node: #2f6fb5; --node-fg: #ffffff; --leader: #b5470b; --bar: #2f6fb5; --focus: #b5470b;
  --grey: #7d8690;
  --hop: #7b3fb3; --hop-back: #17783a; --ok-fg: #17612d; --ok-bg: #dcf1e2; --bad-fg: #a1261b; --bad-bg: #fbe2df;
  --note-bg: #fff4cc;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #14171b; --fg: #e6e9ed; --muted: #a3acb7; --line: #3a414a; --panel: #1d2127;
    --node: #5b9be0; --node-fg: #0b0d10; --leader: #f0a35e; --bar: #5b9be0; --focus: #f0a35e;
    --grey: #737c87;
    --hop: #c29bf0; --hop-back: #62cf83; --ok-fg: #9be2b0; --ok-bg: #173a22; --bad-fg: #f4aaa2; --bad-bg: #43201c;
    --note-bg: #3a3420;
  }
}
* { box-sizing: border-box; }
body { margin: 0; padding: 1rem 1.5rem 2rem; background: var(--bg); color: var(--fg); font: 15px/1.45 system-ui, sans-serif; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.2rem 0 .4rem; }
h3 { font-size: 1rem; margin: .8rem 0 .3rem; }
a, button { color: inherit; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: .5rem; background: var(--panel); padding: .3rem .6rem; }
button { font: inherit; padding: .25rem .7rem; border: 1px solid var(--line); border-radius: 4px; background: var(--panel); cursor: pointer; }
button[aria-pressed="true"] { border-color: var(--focus); }
.controls { color: var(--muted); margin: .3rem 0 0; }
dl.dht { display: flex; flex-wrap: wrap; gap: .4rem 1.6rem; margin: 0; }
dl.dht div { display: flex; gap: .4rem; }
dl.dht dt { color: var(--muted); }
dl.dht dd { margin: 0; font-weight: 600; }
.ring-row { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
#ring { margin: 0; flex: 0 1 560px; min-width: 280px; }
#ring svg { width: 100%; height: auto; }
#side { flex: 1 1 200px; }
#side h2 { margin-top: 0; }
.orbit { fill: none; stroke: var(--line); stroke-width: 2; }
.orbit.empty { stroke-dasharray: 6 6; }
.centre { fill: var(--muted); text-anchor: middle; dominant-baseline: middle; font-size: 22px; }
.centre.small { font-size: 14px; }
.node circle { fill: var(--node); stroke: var(--bg); stroke-width: 2; }
.node.leader circle { fill: var(--leader); stroke: var(--fg); stroke-width: 3; }
.node .id { fill: var(--node-fg); text-anchor: middle; dominant-baseline: central; font-size: 13px; font-weight: 700; }
.node .name { fill: var(--fg); dominant-baseline: middle; font-size: 14px; }
.node.suspect circle, .node.dead circle { fill: var(--grey); stroke-dasharray: 4 3; stroke: var(--fg); }
.node.suspect .name, .node.dead .name { fill: var(--grey); }
ul.free, ul.departed { list-style: none; padding: 0; margin: 0; }
.peer { padding: .15rem 0; }
.peer .addr { color: var(--muted); margin-left: .6rem; font-size: .9em; }
.peer.suspect, .peer.dead, tr.suspect, tr.dead { color: var(--grey); }
.bar rect { fill: var(--bar); }
.bar.suspect rect, .bar.dead rect { fill: var(--grey); }
.bar .label { fill: var(--fg); text-anchor: end; dominant-baseline: middle; font-size: 13px; }
.bar .value { fill: var(--muted); dominant-baseline: middle; font-size: 13px; }
#bars svg { width: 100%; max-width: 520px; height: auto; }
table { border-collapse: collapse; margin: .6rem 0; }
caption { text-align: left; color: var(--muted); padding-bottom: .2rem; }
th, td { padding: .2rem .7rem; border-bottom: 1px solid var(--line); text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { max-height: 22rem; overflow: auto; border: 1px solid var(--line); border-radius: 4px; background: var(--panel); }
ol.log { list-style: none; margin: 0; padding: .4rem .7rem; font: 13px/1.5 ui-monospace, monospace; }
ol.log time { color: var(--muted); }
ol.log .kind { display: inline-block; min-width: 6.5em; color: var(--muted); }
ol.log .death .kind, ol.log .abandon .kind { color: var(--leader); }
/* The cluster's sections: the queries' walks on the ring, and the current command's sequence chart. */
.paths-row { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
ul.queries { list-style: none; padding: 0; margin: 0; flex: 0 1 22rem; display: flex; flex-direction: column; gap: .3rem; }
ul.queries button { width: 100%; text-align: left; font-size: .9em; }
ul.queries button time { color: var(--muted); }
ul.queries button[aria-pressed="true"] { border-width: 2px; font-weight: 600; }
.query-path { margin: 0; flex: 1 1 420px; min-width: 280px; max-width: 640px; }
.query-path svg { width: 100%; height: auto; }
.query-path figcaption { font-weight: 600; }
ol.hops { margin: .3rem 0; padding-left: 2rem; }
ol.hops .off-ring { color: var(--muted); }
.path-node circle { fill: var(--panel); stroke: var(--line); stroke-width: 2; }
.path-node.visited circle { fill: var(--node); stroke: var(--bg); }
.path-node.querier circle { fill: var(--panel); stroke: var(--hop); stroke-width: 4; }
.path-node .id { fill: var(--fg); text-anchor: middle; dominant-baseline: central; font-size: 13px; font-weight: 700; }
.path-node.visited .id { fill: var(--node-fg); }
.path-node .name { fill: var(--fg); dominant-baseline: middle; font-size: 14px; }
.hop path { fill: none; stroke-width: 2.5; }
.hop.find-event path { stroke: var(--hop); }
.hop.find-result path { stroke: var(--hop-back); stroke-dasharray: 7 5; }
marker.find-event path { fill: var(--hop); }
marker.find-result path { fill: var(--hop-back); }
.hop .badge { fill: var(--bg); stroke-width: 2; }
.hop.find-event .badge { stroke: var(--hop); }
.hop.find-result .badge { stroke: var(--hop-back); }
.hop .badge-number { fill: var(--fg); text-anchor: middle; dominant-baseline: central; font-size: 11px; font-weight: 700; }
.sequence { margin: 0; }
.sequence figcaption { margin-bottom: .4rem; }
.chart { max-height: 32rem; background: var(--bg); }
.chart svg { display: block; }
.participant rect { fill: var(--panel); stroke: var(--line); }
.participant text { fill: var(--fg); text-anchor: middle; dominant-baseline: central; font-size: 13px; font-weight: 600; }
.lifeline { stroke: var(--line); stroke-dasharray: 4 4; }
.msg line, .msg path { stroke: var(--fg); stroke-width: 1.5; fill: none; }
.msg text { fill: var(--fg); font: 12px ui-monospace, monospace; paint-order: stroke; stroke: var(--bg); stroke-width: 4px; stroke-linejoin: round; }
marker.message path { fill: var(--fg); }
.note rect { fill: var(--note-bg); stroke: var(--line); }
.note text, .result text { fill: var(--fg); text-anchor: middle; dominant-baseline: central; font-size: 12px; }
.result.ok rect { fill: var(--ok-bg); stroke: var(--ok-fg); }
.result.failed rect { fill: var(--bad-bg); stroke: var(--bad-fg); }
.result.ok text { fill: var(--ok-fg); }
.result.failed text { fill: var(--bad-fg); }
.offset { fill: var(--muted); font-size: 11px; text-anchor: end; }
.omitted { color: var(--muted); }
ol.steps { margin: .3rem 0; font: 13px/1.5 ui-monospace, monospace; }
ol.steps time { color: var(--muted); }
ol.steps .ok { color: var(--ok-fg); }
ol.steps .failed { color: var(--bad-fg); }
`;
