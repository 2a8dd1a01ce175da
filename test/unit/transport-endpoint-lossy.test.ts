// endpoint.ts over a lossy network (SPEC §1.4): with 30% loss, 10% duplication and reordering
// delays, retransmission plus the reply cache make every request complete, and take effect exactly
// once. Seeded and on a virtual clock, so the run repeats exactly and takes no real time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../src/data/seeded-random.js';
import type { Message } from '../../src/wire/messages.js';
import { client, faultyNet, server, SERVER } from './transport-fixtures.js';

const REQUESTS = 200;
/**
 * Budget per request (ms). With 30% loss each way a round trip fails about half the time, so the
 * default 10 s (7 attempts) would leave about one request in 200 unanswered; 30 s gives 17 attempts
 * (failure odds ~1e-5 per request) and stays below the 60 s reply-cache TTL, so a late copy is still
 * answered from the cache rather than executed again.
 */
const BUDGET_MS = 30_000;

for (const seed of [1, 2, 3]) {
  test(`200 requests under 30% loss and 10% duplication all complete, each executed once (seed ${seed})`, async () => {
    const { clock, net, sockets } = faultyNet({ loss: 0.3, dup: 0.1, reorder: 0.2, delayMs: [1, 40], seed }, mulberry32(seed));
    const { endpoint: srv, handled } = await server(net, clock);
    const c = await client(net, clock);
    const answers = new Map<string, Message>();
    const outcomes = Array.from({ length: REQUESTS }, (_, i) =>
      c.request(SERVER, { type: 'query-dht', name: `p${i}` }, { budgetMs: BUDGET_MS }).then((m) => {
        assert.ok(!answers.has(m.rid), `answered twice: ${m.rid}`);
        answers.set(m.rid, m);
      }),
    );
    clock.runUntilIdle(BUDGET_MS + 1_000);
    await Promise.all(outcomes);

    assert.equal(handled.length, REQUESTS, 'handler count');
    assert.equal(new Set(handled.map((h) => h.msg.rid)).size, REQUESTS, 'each rid executed once');
    assert.equal(answers.size, REQUESTS);
    assert.ok(c.stats.retransmits > 50, `the loss was felt: ${c.stats.retransmits} retransmits`);
    assert.ok(srv.stats.duplicates > 0, 'repeats were answered from the cache');
    assert.ok(sockets.every((s) => s.stats.dropped > 0 && s.stats.duplicated > 0 && s.stats.reordered > 0), 'both sides felt every fault');
    assert.equal(clock.pendingTimers, 0, 'nothing left pending');
  });
}
