// The live view's script as the browser runs it (dist/web/page/main.mjs, built by
// tsconfig.web.json), here over a stand-in for the few DOM pieces it touches: it follows
// /events, puts in place only the sections whose HTML changed, says whether it is live, and the
// pause button holds the page still until it is pressed again; in the cluster's view a query's
// button draws that query's walk at once, paused or not, and keeps the focus on the button. (A
// real browser runs it in the browser tests.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CLUSTER_SECTION_IDS, renderSections, SECTION_IDS } from '../../src/live/view-render.js';
import type { ViewQuery, ViewState } from '../../src/live/view-types.js';

const SCRIPT = fileURLToPath(new URL('../../web/page/main.mjs', import.meta.url));

/** The stand-in document: its elements by id, and the one that has the focus. */
const fakeDocument: { activeElement: FakeButton | null; getElementById: (id: string) => FakeElement | null } = { activeElement: null, getElementById: () => null };

/** A query's button inside a section, as querySelector finds it in the section's HTML. */
class FakeButton {
  readonly id = '';
  constructor(
    readonly section: FakeElement,
    readonly at: string,
  ) {}
  getAttribute(name: string): string | null {
    return name === 'data-select-query' ? this.at : null;
  }
  focus(): void {
    fakeDocument.activeElement = this;
  }
}

/** The focused button (a function: the script moves the focus behind the compiler's back). */
function focusedButton(): FakeButton | null {
  return fakeDocument.activeElement;
}

/** What a click on a query's button (or elsewhere) hands the delegated listener. */
function clickOn(at: string | null): { target: { closest: (selector: string) => { getAttribute: (name: string) => string | null } | null } } {
  return { target: { closest: (selector) => (selector === '[data-select-query]' && at !== null ? { getAttribute: () => at } : null) } };
}

class FakeElement {
  textContent = '';
  writes = 0;
  private html = '';
  private readonly listeners = new Map<string, (event?: unknown) => void>();
  private readonly attributes = new Map<string, string>();
  get innerHTML(): string {
    return this.html;
  }
  set innerHTML(value: string) {
    this.html = value;
    this.writes++;
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }
  addEventListener(type: string, fn: (event?: unknown) => void): void {
    this.listeners.set(type, fn);
  }
  click(event?: unknown): void {
    this.listeners.get('click')?.(event);
  }
  contains(node: unknown): boolean {
    return node instanceof FakeButton && node.section === this;
  }
  /** Only a query's button is looked for by the script's selection, and only buttons have the focus here. */
  querySelector(selector: string): FakeButton | null {
    const at = /^\[data-select-query="(\d+)"\]$/.exec(selector)?.[1];
    return at !== undefined && this.html.includes(`data-select-query="${at}"`) ? new FakeButton(this, at) : null;
  }
  querySelectorAll(): FakeElement[] {
    return [];
  }
}

class FakeEventSource {
  static last: FakeEventSource | null = null;
  private readonly listeners = new Map<string, (event: { data?: string }) => void>();
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(type: string, fn: (event: { data?: string }) => void): void {
    this.listeners.set(type, fn);
  }
  emit(type: string, data?: ViewState): void {
    this.listeners.get(type)?.(data === undefined ? {} : { data: JSON.stringify(data) });
  }
}

const VIEW: ViewState = {
  mode: 'Idle',
  waitingFor: null,
  replicas: 1,
  peers: [{ name: 'dave', state: 'Free', ip: '127.0.0.1', mPort: 7001, pPort: 7002, liveness: 'alive', id: null, records: 0, replicas: null, traffic: null }],
  dht: null,
  departed: [],
  events: [{ at: 1_000, kind: 'register', text: 'dave registered at 127.0.0.1 (m-port 7001, p-port 7002)' }],
};


const SKIP = existsSync(SCRIPT) ? false : `${SCRIPT} is not built (tsc -p tsconfig.web.json)`;

/**
 * Runs an instance of the script over a stand-in page (every section, the pause button and the
 * connection line), then takes the stand-ins away. Each `instance` is a module of its own: an
 * import is cached by its URL, and each test needs the script to start afresh.
 */
/** The manager's page has every section but the cluster's two. */
const MANAGER_SECTIONS = SECTION_IDS.filter((id) => !CLUSTER_SECTION_IDS.includes(id));

async function withScript(
  instance: string,
  body: (source: FakeEventSource, elements: ReadonlyMap<string, FakeElement>) => void,
  sections: readonly string[] = MANAGER_SECTIONS,
): Promise<void> {
  const elements = new Map<string, FakeElement>([...sections, 'pause', 'connection'].map((id) => [id, new FakeElement()]));
  const globals = globalThis as Record<string, unknown>;
  fakeDocument.getElementById = (id: string) => elements.get(id) ?? null;
  fakeDocument.activeElement = null;
  globals.document = fakeDocument;
  globals.EventSource = FakeEventSource;
  try {
    await import(`${pathToFileURL(SCRIPT).href}?${instance}`);
    body(FakeEventSource.last!, elements);
  } finally {
    delete globals.document;
    delete globals.EventSource;
  }
}

test('the page script follows /events, replaces only the sections that changed, and pauses', { skip: SKIP }, async () => {
  await withScript('updates', (source, elements) => {
    assert.equal(source.url, '/events');
    source.emit('open');
    assert.equal(elements.get('connection')!.textContent, 'live');

    source.emit('state', VIEW);
    const drawn = renderSections(VIEW);
    for (const id of MANAGER_SECTIONS) assert.equal(elements.get(id)!.innerHTML, drawn[id], id);
    const writes = () => MANAGER_SECTIONS.map((id) => elements.get(id)!.writes);
    const before = writes();

    // Only the log changes: only the log is replaced (the others keep their focus and scroll).
    const next: ViewState = { ...VIEW, events: [...VIEW.events, { at: 2_000, kind: 'deregister', text: 'dave deregistered' }] };
    source.emit('state', next);
    const after = writes();
    assert.deepEqual(
      MANAGER_SECTIONS.filter((_, i) => after[i] !== before[i]),
      ['events'],
    );
    assert.equal(elements.get('events')!.innerHTML, renderSections(next).events);

    // Paused: the page holds still; resumed: it shows the latest state at once.
    const pause = elements.get('pause')!;
    pause.click();
    assert.equal(pause.getAttribute('aria-pressed'), 'true');
    assert.equal(pause.textContent, 'Resume updates');
    const later: ViewState = { ...next, peers: [] };
    source.emit('state', later);
    assert.equal(elements.get('traffic')!.innerHTML, renderSections(next).traffic);
    pause.click();
    assert.equal(pause.getAttribute('aria-pressed'), 'false');
    assert.equal(elements.get('traffic')!.innerHTML, renderSections(later).traffic);

    source.emit('error');
    assert.match(elements.get('connection')!.textContent, /^lost the manager: trying again/);
  });
});

function clusterQuery(at: number, eventId: number, by: string): ViewQuery {
  return { at, querier: 'dave', eventId, ok: true, found: true, path: [0], by, error: null, hops: [{ from: 'dave', to: by, kind: 'find-event', at }], ring: [] };
}

test('in the cluster\'s view a query\'s button draws its walk at once, even paused, and keeps the focus', { skip: SKIP }, async () => {
  await withScript('selection', (source, elements) => {
    const [older, newer] = [clusterQuery(1_000, 11, 'carol'), clusterQuery(2_000, 22, 'bob')];
    const view: ViewState = { ...VIEW, cluster: { processes: ['manager', 'dave'], command: null, queries: [older, newer] } };
    source.emit('state', view);
    const paths = elements.get('paths')!;
    assert.equal(paths.innerHTML, renderSections(view).paths, 'the newest by default');
    assert.match(paths.innerHTML, /data-event-id="22"/);

    // A click elsewhere in the section does nothing; a click on the older query's button draws it, and only it.
    const writes = () => SECTION_IDS.map((id) => elements.get(id)!.writes);
    let before = writes();
    paths.click(clickOn(null));
    assert.deepEqual(writes(), before);
    paths.click(clickOn('1000'));
    assert.equal(paths.innerHTML, renderSections(view, { selectedQuery: 1_000 }).paths);
    assert.match(paths.innerHTML, /data-event-id="11"/);
    assert.deepEqual(
      SECTION_IDS.filter((_, i) => writes()[i] !== before[i]),
      ['paths'],
    );
    const focused = focusedButton();
    assert.equal(focused?.at, '1000', 'the focus on the chosen button, drawn anew');
    assert.equal(focused?.section, paths);

    // The choice holds across updates.
    const next: ViewState = { ...view, events: [...view.events, { at: 3_000, kind: 'query', text: 'query from dave → first node bob' }] };
    source.emit('state', next);
    assert.equal(paths.innerHTML, renderSections(next, { selectedQuery: 1_000 }).paths);

    // Paused: a click still draws the chosen walk, from the view the page shows, and nothing else moves.
    elements.get('pause')!.click();
    const later: ViewState = { ...next, cluster: { ...next.cluster!, queries: [older, newer, clusterQuery(4_000, 44, 'alice')] } };
    source.emit('state', later);
    before = writes();
    paths.click(clickOn('2000'));
    assert.equal(paths.innerHTML, renderSections(next, { selectedQuery: 2_000 }).paths);
    assert.doesNotMatch(paths.innerHTML, /data-select-query="4000"/, 'the paused page does not show the later query');
    assert.deepEqual(
      SECTION_IDS.filter((_, i) => writes()[i] !== before[i]),
      ['paths'],
    );
    elements.get('pause')!.click();
    assert.equal(paths.innerHTML, renderSections(later, { selectedQuery: 2_000 }).paths);

    // The stream is the cluster's: that is what the page says it lost.
    source.emit('error');
    assert.match(elements.get('connection')!.textContent, /^lost the cluster: trying again/);
  }, SECTION_IDS);
});
