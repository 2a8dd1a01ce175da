// The live view's script in the browser (issue 16): it follows the manager's /events stream and
// puts each section of the page that changed in place, drawn by view-render.ts (pure, tested in
// node). Only the sections whose HTML changed are replaced, so the event log keeps its scroll and
// the focus stays where it was. A .mts file, built by tsconfig.web.json alone (with the DOM's
// types): the node build, which has no DOM, takes only .ts files.
//
// In the cluster's view the reader chooses which query's walk is drawn (the `paths` section's
// buttons); the choice is kept here and handed to the drawing, which stays pure.
import { renderSections, SECTION_IDS, type SectionId } from '../view-render.js';
import type { ViewState } from '../view-types.js';

const shown = new Map<string, string>();
let latest: ViewState | null = null;
/** The view the page shows: the latest one, or while paused the one it holds still on. */
let drawn: ViewState | null = null;
let paused = false;
/** The `at` of the query the reader chose to see drawn; undefined: the newest. */
let selectedQuery: number | undefined;

function show(view: ViewState): void {
  drawn = view;
  const sections = renderSections(view, { selectedQuery });
  for (const id of SECTION_IDS) put(id, sections[id]);
}

/** Puts a section's HTML in place, unless the page shows it already (the section is absent: nothing). */
function put(id: SectionId, html: string): void {
  if (shown.get(id) === html) return;
  const element = document.getElementById(id);
  if (element === null) return;
  replace(element, html);
  shown.set(id, html);
}

/**
 * Replaces an element's content, keeping what the reader set in it and would lose with its old
 * nodes: the focus (on an element found again by keyOf), the scroll of its scrolling boxes (the
 * sequence chart grows while a command runs), and which of its <details> are open.
 */
function replace(element: HTMLElement, html: string): void {
  const focused = document.activeElement;
  const focusKey = focused !== null && focused !== element && element.contains(focused) ? keyOf(focused) : null;
  const scrolls = Array.from(element.querySelectorAll<HTMLElement>('.scroll[id]'), (box) => ({ id: box.id, top: box.scrollTop, left: box.scrollLeft }));
  const open = Array.from(element.querySelectorAll('details'), (details) => details.open);
  element.innerHTML = html;
  for (const { id, top, left } of scrolls) {
    const box = document.getElementById(id);
    if (box === null) continue;
    box.scrollTop = top;
    box.scrollLeft = left;
  }
  element.querySelectorAll('details').forEach((details, i) => {
    if (open[i] === true) details.open = true;
  });
  if (focusKey !== null) element.querySelector<HTMLElement>(focusKey)?.focus({ preventScroll: true });
}

/** A selector that finds an element again once its section is drawn anew, or null. */
function keyOf(element: Element): string | null {
  const query = element.getAttribute('data-select-query');
  if (query !== null) return `[data-select-query="${query}"]`;
  return element.id === '' ? null : `[id="${element.id}"]`;
}

/**
 * A query's button (delegated: the buttons are drawn anew on every update): that query's walk is
 * drawn at once. Even while paused, since it is the reader's own doing, but from the view the page
 * shows, so that the rest of a paused page stays still. The focus stays on the chosen button.
 */
function onPathsClick(event: Event): void {
  const button = (event.target as Element | null)?.closest('[data-select-query]') ?? null;
  const at = Number(button?.getAttribute('data-select-query') ?? Number.NaN);
  if (!Number.isFinite(at)) return;
  selectedQuery = at;
  if (drawn !== null) put('paths', renderSections(drawn, { selectedQuery }).paths);
  document.getElementById('paths')?.querySelector<HTMLElement>(`[data-select-query="${at}"]`)?.focus();
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
  document.getElementById('paths')?.addEventListener('click', onPathsClick);
  const events = new EventSource('/events');
  events.addEventListener('open', () => setConnection(paused ? 'paused' : 'live'));
  events.addEventListener('error', () => setConnection(`lost the ${document.getElementById('paths') === null ? 'manager' : 'cluster'}: trying again…`));
  events.addEventListener('state', (event) => {
    latest = JSON.parse((event as MessageEvent<string>).data) as ViewState;
    if (!paused) show(latest);
  });
}

start();
