// state-follower.ts: how the cluster reads its manager's stream of states. The parser on text cut
// anywhere, and the follower against a real LiveServer on loopback (any free port): the first
// state, a change, and the stream opened again after the server went away and came back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { LiveServer } from '../../src/live/http-server.js';
import { EventStreamParser, StateFollower } from '../../src/live/state-follower.js';
import type { ViewState } from '../../src/live/view-types.js';

test('the parser gives each event once it is complete, however the text is cut, and skips comments and retry', () => {
  const text = 'retry: 1000\r\n\r\nevent: state\ndata: {"a":1}\n\n: ping\n\nevent: state\ndata: line one\ndata: line two\n\ndata: plain\n\n';
  for (let cut = 0; cut <= text.length; cut++) {
    const parser = new EventStreamParser();
    const events = [...parser.feed(text.slice(0, cut)), ...parser.feed(text.slice(cut))];
    assert.deepEqual(events, [
      { event: 'state', data: '{"a":1}' },
      { event: 'state', data: 'line one\nline two' },
      { event: 'message', data: 'plain' },
    ], `cut at ${cut}`);
  }
});

function view(mode: string): ViewState {
  return { mode, waitingFor: null, replicas: 1, peers: [], dht: null, departed: [], events: [] };
}

async function until(what: string, test: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    assert.ok(Date.now() < deadline, `${what} within ${timeoutMs} ms`);
    await sleep(20);
  }
}

test('the follower has the first state, follows a change, and opens the stream again when it was lost', async () => {
  let current = view('Idle');
  const first = await LiveServer.start({ host: '127.0.0.1', port: 0, view: () => current });
  const { port } = first.address;
  const seen: string[] = [];
  const follower = new StateFollower(`http://127.0.0.1:${port}/`, (s) => seen.push(s.mode));
  try {
    assert.equal((await follower.first(5_000))?.mode, 'Idle');
    current = view('AwaitDhtComplete');
    await until('the change', () => follower.latest?.mode === 'AwaitDhtComplete');
    // The server goes away (the stream ends), and a new one comes on the same port.
    await first.close();
    const second = await LiveServer.start({ host: '127.0.0.1', port, view: () => view('AwaitTeardownComplete') });
    try {
      await until('the state of the new server', () => follower.latest?.mode === 'AwaitTeardownComplete');
    } finally {
      await second.close();
    }
    assert.deepEqual([...new Set(seen)], ['Idle', 'AwaitDhtComplete', 'AwaitTeardownComplete']);
  } finally {
    follower.close();
    await first.close();
  }
});

test('first() gives null when no state comes in time', async () => {
  // Nothing listens on this port: the follower keeps trying, quietly.
  const probe = await LiveServer.start({ host: '127.0.0.1', port: 0, view: () => view('Idle') });
  const { port } = probe.address;
  await probe.close();
  const follower = new StateFollower(`http://127.0.0.1:${port}/`);
  try {
    assert.equal(await follower.first(300), null);
  } finally {
    follower.close();
  }
});
