// The live view's script in the browser (issue 16): it follows the manager's /events stream and
// puts each section of the page that changed in place, drawn by view-render.ts (pure, tested in
// node). Only the sections whose HTML changed are replaced, so the event log keeps its scroll and
// the focus stays where it was. A .mts file, built by tsconfig.web.json alone (with the DOM's
// types): the node build, which has no DOM, takes only .ts files.
import { renderSections, SECTION_IDS } from '../view-render.js';
import type { ViewState } from '../view-types.js';

const shown = new Map<string, string>();
let latest: ViewState | null = null;
let paused = false;

function show(view: ViewState): void {
  const sections = renderSections(view);
  for (const id of SECTION_IDS) {
    const html = sections[id];
    if (shown.get(id) === html) continue;
    const element = document.getElementById(id);
    if (element === null) continue;
    element.innerHTML = html;
    shown.set(id, html);
  }
}

function setConnection(text: string): void {
  const element = document.getElementById('connection');
  if (element !== null) element.textContent = text;
}

function start(): void {
  // The server drew the page from the state it had; the first event brings the current one.
  for (const id of SECTION_IDS) shown.set(id, document.getElementById(id)?.innerHTML ?? '');
  const pause = document.getElementById('pause');
  pause?.addEventListener('click', () => {
    paused = !paused;
    pause.setAttribute('aria-pressed', String(paused));
    pause.textContent = paused ? 'Resume updates' : 'Pause updates';
    if (!paused && latest !== null) show(latest);
    setConnection(paused ? 'paused' : 'live');
  });
  const events = new EventSource('/events');
  events.addEventListener('open', () => setConnection(paused ? 'paused' : 'live'));
  events.addEventListener('error', () => setConnection('lost the manager: trying again…'));
  events.addEventListener('state', (event) => {
    latest = JSON.parse((event as MessageEvent<string>).data) as ViewState;
    if (!paused) show(latest);
  });
}

start();
