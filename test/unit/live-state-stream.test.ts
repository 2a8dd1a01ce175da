// The live view's stream (state-stream.ts) on virtual time: a client gets the view at once; a
// change reaches it within MIN_PUSH_INTERVAL_MS, and never more than five times a second however
// often the view changes; an unchanged view is sent again every second; a ping now and then; a
// slow client is let go; nothing runs while no one watches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PUSH_INTERVAL_MS, MAX_UNREAD_BYTES, MIN_PUSH_INTERVAL_MS, PING_INTERVAL_MS, StateStream, stateEvent, type StreamClient } from '../../src/live/state-stream.js';
import { VirtualClock } from '../../src/transport/virtual-clock.js';

class Client implements StreamClient {
  readonly chunks: Array<{ at: number; text: string }> = [];
  ended = false;
  writableLength = 0;
  constructor(private readonly clock: VirtualClock) {}
  write(text: string): void {
    this.chunks.push({ at: this.clock.now(), text });
  }
  end(): void {
    this.ended = true;
  }
  states(): Array<{ at: number; json: string }> {
    return this.chunks.filter((c) => c.text.startsWith('event: state\n')).map((c) => ({ at: c.at, json: c.text.slice('event: state\ndata: '.length, -2) }));
  }
}

function setup(): { clock: VirtualClock; stream: StateStream; view: { n: number }; builds: () => number } {
  const clock = new VirtualClock();
  const view = { n: 0 };
  let builds = 0;
  const stream = new StateStream(clock, () => {
    builds++;
    return JSON.stringify(view);
  });
  return { clock, stream, view, builds: () => builds };
}

test('a client is told how soon to reconnect and gets the view at once; a change reaches it within 200 ms', () => {
  const { clock, stream, view } = setup();
  const c = new Client(clock);
  stream.add(c);
  assert.equal(c.chunks[0]!.text, 'retry: 1000\n\n');
  assert.deepEqual(c.states(), [{ at: 0, json: '{"n":0}' }]);
  clock.advance(350);
  view.n = 1;
  clock.advance(MIN_PUSH_INTERVAL_MS);
  assert.deepEqual(c.states().at(-1), { at: 400, json: '{"n":1}' });
  assert.ok(c.states().at(-1)!.at - 350 <= MIN_PUSH_INTERVAL_MS);
  stream.close();
  assert.equal(c.ended, true);
});

test('at most 5 state events a second however often the view changes, and one a second when it does not', () => {
  const { clock, stream, view } = setup();
  const c = new Client(clock);
  stream.add(c);
  for (let t = 0; t < 3_000; t += 10) {
    view.n++;
    clock.advance(10);
  }
  const busy = c.states();
  for (let i = 1; i < busy.length; i++) assert.ok(busy[i]!.at - busy[i - 1]!.at >= MIN_PUSH_INTERVAL_MS, `two events ${busy[i]!.at - busy[i - 1]!.at} ms apart`);
  assert.ok(busy.length >= 15 && busy.length <= 16, `${busy.length} events in 3 s`);
  const before = c.states().length;
  clock.advance(5_000); // nothing changes for 5 s
  const idle = c.states().slice(before);
  assert.equal(idle.length, 5);
  for (let i = 1; i < idle.length; i++) assert.equal(idle[i]!.at - idle[i - 1]!.at, MAX_PUSH_INTERVAL_MS);
  stream.close();
});

test('a comment ping every 10 s; every client gets every event; a slow client is let go', () => {
  const { clock, stream } = setup();
  const [a, b] = [new Client(clock), new Client(clock)];
  stream.add(a);
  stream.add(b);
  clock.advance(PING_INTERVAL_MS);
  assert.equal(a.chunks.filter((c) => c.text === ': ping\n\n').length, 1);
  assert.deepEqual(a.states(), b.states());
  b.writableLength = MAX_UNREAD_BYTES + 1;
  clock.advance(MAX_PUSH_INTERVAL_MS);
  assert.equal(b.ended, true);
  assert.equal(stream.size, 1);
  assert.equal(a.ended, false);
  stream.close();
});

test('the view is built only while someone watches', () => {
  const { clock, stream, builds } = setup();
  clock.advance(5_000);
  assert.equal(builds(), 0);
  const c = new Client(clock);
  stream.add(c);
  clock.advance(1_000);
  assert.equal(builds(), 1 + 1_000 / MIN_PUSH_INTERVAL_MS);
  stream.remove(c);
  const after = builds();
  clock.advance(5_000);
  assert.equal(builds(), after);
  assert.equal(clock.pendingTimers, 0);
});

test('a state event is one data line, whatever the view holds', () => {
  const json = JSON.stringify({ text: 'two\nlines' });
  assert.equal(stateEvent(json), `event: state\ndata: ${json}\n\n`);
  assert.equal(stateEvent(json).split('\n').length, 4);
});
