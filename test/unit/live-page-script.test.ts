// The live view's script as the browser runs it (dist/web/page/main.mjs, built by
// tsconfig.web.json), here over a stand-in for the few DOM pieces it touches: it follows
// /events, puts in place only the sections whose HTML changed, says whether it is live, and the
// pause button holds the page still until it is pressed again. (A real browser runs it in the
// browser tests.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderSections, SECTION_IDS } from '../../src/live/view-render.js';
import type { ViewState } from '../../src/live/view-types.js';

const SCRIPT = fileURLToPath(new URL('../../web/page/main.mjs', import.meta.url));

class FakeElement {
  textContent = '';
  writes = 0;
  private html = '';
  private readonly listeners = new Map<string, () => void>();
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
  addEventListener(type: string, fn: () => void): void {
    this.listeners.set(type, fn);
  }
  click(): void {
    this.listeners.get('click')?.();
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

test('the page script follows /events, replaces only the sections that changed, and pauses', { skip: existsSync(SCRIPT) ? false : `${SCRIPT} is not built (tsc -p tsconfig.web.json)` }, async () => {
  const elements = new Map<string, FakeElement>([...SECTION_IDS, 'pause', 'connection'].map((id) => [id, new FakeElement()]));
  const globals = globalThis as Record<string, unknown>;
  globals.document = { getElementById: (id: string) => elements.get(id) ?? null };
  globals.EventSource = FakeEventSource;
  try {
    await import(pathToFileURL(SCRIPT).href);
    const source = FakeEventSource.last!;
    assert.equal(source.url, '/events');
    source.emit('open');
    assert.equal(elements.get('connection')!.textContent, 'live');

    source.emit('state', VIEW);
    const drawn = renderSections(VIEW);
    for (const id of SECTION_IDS) assert.equal(elements.get(id)!.innerHTML, drawn[id], id);
    const writes = () => SECTION_IDS.map((id) => elements.get(id)!.writes);
    const before = writes();

    // Only the log changes: only the log is replaced (the others keep their focus and scroll).
    const next: ViewState = { ...VIEW, events: [...VIEW.events, { at: 2_000, kind: 'deregister', text: 'dave deregistered' }] };
    source.emit('state', next);
    const after = writes();
    assert.deepEqual(
      SECTION_IDS.filter((_, i) => after[i] !== before[i]),
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
    assert.match(elements.get('connection')!.textContent, /^lost the manager/);
  } finally {
    delete globals.document;
    delete globals.EventSource;
  }
});
