// Pipelined queries (stormdht peer --pipeline, default 32) on a 1996 ring of 5: 300 query lines
// written at once to a Free peer, with a status line among them. Every result is the file's, in
// the order of the lines; the output is what running them one after another prints: each query's
// lines (the manager's round trip, its find-event and find-result, the result) form one block
// that ends with its result, in --json and in the human trace. Real processes, ports 29000-29999.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FIELD_NAMES } from '../../src/data/fields.js';
import { mulberry32 } from '../../src/data/seeded-random.js';
import type { JsonLine } from '../../src/cli/processes.js';
import { skipUnlessYear } from '../helpers/shared-data.js';
import { absentIds, assertQuery, assertSetup, Cluster, fileRows, ownerOf, pickIds, SHARED_DATA_DIR, show } from './cluster.js';
import { HumanPeer } from './human-peer.js';

const PORTS = '29000-29999';
const RING = ['alice', 'bob', 'carol', 'dave', 'erin'];
/** Where the status line goes among the queries: a barrier that must wait for the 150 before it. */
const STATUS_AT = 150;

/** 300 ids, about 10 % of them absent from the file, in a seeded order. */
function queryIds(seed: number): number[] {
  const rng = mulberry32(seed);
  const ids = [...pickIds('1996', 270, rng), ...absentIds('1996', 28, rng)];
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids;
}

/** The input: a query line per id, with `status` before the query at STATUS_AT. */
function inputLines(name: string, ids: readonly number[]): string[] {
  const lines = ids.map((id) => `query-dht ${name} ${id}`);
  lines.splice(STATUS_AT, 0, 'status');
  return lines;
}

/**
 * A retransmission (the processes are busy, and a round trip can exceed the timeout) traces the
 * datagram again within its command, and can bring a second find-result, traced wherever it
 * arrives: it belongs to no command.
 */
const RETRANSMITTED = /retransmitting (find-event|query-dht)/;

describe('pipelined queries on 1996, n = 5', { skip: skipUnlessYear('1996') }, () => {
  let c: Cluster;
  let idOf = new Map<string, number>();

  before(async () => {
    c = await Cluster.start({ portRange: PORTS });
    await c.addRegistered(RING);
    const ring = assertSetup(await c.run('alice', 'setup-dht alice 5 1996'), 'alice', '1996', 5);
    idOf = await c.assertRing(ring, '1996', ring);
  });
  after(async () => {
    await c?.close();
  });

  test('--json: 300 queries written at once give the file\'s answers in order, each command\'s lines together', async () => {
    await c.addRegistered(['pia']);
    const pia = c.peer('pia');
    const ids = queryIds(29);
    const start = pia.lines.length;
    pia.child.stdin!.write(inputLines('pia', ids).map((l) => `${l}\n`).join(''));
    const results = await Promise.all(Array.from({ length: ids.length + 1 }, () => pia.nextResult(60_000)));
    const lines = pia.lines.slice(start);
    const retransmitted = lines.some((l) => l.event === 'note' && RETRANSMITTED.test(String(l.text)));

    // Cut the output into blocks, each ending with a result line, in input order.
    const blocks: JsonLine[][] = [];
    let block: JsonLine[] = [];
    for (const l of lines) {
      block.push(l);
      if (l.type === 'result') {
        blocks.push(block);
        block = [];
      }
    }
    // Only a late second find-result (after a retransmission) may follow the last result: it
    // belongs to no command.
    const trailing = block.filter((l) => !(retransmitted && l.event === 'trace' && String(l.text).startsWith('find-result ')));
    assert.deepEqual(trailing, [], `lines after the last result: ${show(block)}`);
    assert.equal(blocks.length, ids.length + 1);
    assert.deepEqual(results, blocks.map((b) => b.at(-1)));

    const status = blocks.splice(STATUS_AT, 1)[0]!;
    assert.deepEqual(status.map((l) => l.type), ['result'], `status prints only its result: ${show(status)}`);
    assert.equal(status[0]!.command, 'status');
    assert.equal(status[0]!.state, 'Free', show(status));

    blocks.forEach((b, k) => {
      const id = ids[k]!;
      const result = b.at(-1)!;
      const texts = essential(
        b.filter((l) => l.event === 'trace').map((l) => `${l.from} → ${l.to}: ${l.text}`),
        id,
        retransmitted,
      );
      assert.equal(texts.length, 4, `query ${k} (${id}): the manager's round trip, find-event, find-result:\n${texts.join('\n')}`);
      assert.equal(texts[0], 'pia → manager: query-dht pia');
      const picked = /^manager → pia: query-dht SUCCESS \(node: ([a-z]+), year: 1996\)$/.exec(texts[1]!);
      assert.ok(picked, texts.join('\n'));
      assert.equal(texts[2], `pia → ${picked![1]}: find-event eventId=${id} querier=pia path=[]`);
      assert.match(texts[3]!, new RegExp(`^[a-z]+ → pia: find-result eventId=${id} found=${result.found} path=\\[${(result.path as number[]).join(', ')}\\]$`));
      assertQuery('1996', id, 5, { result, picked: picked![1]! }, idOf);
    });
  });

  test('human trace: 300 queries written at once print the file\'s answers in order, each query one block ending with its result', async () => {
    const hugo = HumanPeer.start(c.manager, SHARED_DATA_DIR, PORTS);
    try {
      hugo.send('register hugo');
      const registered = await hugo.waitFor('register SUCCESS', 0);
      const ids = queryIds(1996);
      const start = registered + 1;
      hugo.child.stdin!.write(inputLines('hugo', ids).map((l) => `${l}\n`).join(''));
      let end = start;
      for (let k = 0; k <= ids.length; k++) end = (await hugo.waitFor(/^(query-dht|status) SUCCESS$/, end, 60_000)) + 1;
      const lines = hugo.lines.slice(start, end);
      const retransmitted = lines.some((l) => RETRANSMITTED.test(l));

      const blocks: string[][] = [];
      let block: string[] = [];
      for (const l of lines) {
        // Notes (a retransmission) belong to their command but are not part of the checked shape.
        if (/^(note|warning): /.test(l)) continue;
        block.push(l);
        if (/^(query-dht|status) SUCCESS$/.test(l)) {
          blocks.push(block);
          block = [];
        }
      }
      const status = blocks.splice(STATUS_AT, 1)[0]!;
      assert.equal(status.length, 2, status.join('\n'));
      assert.match(status[0]!, /^status: name=hugo state=Free /);

      assert.equal(blocks.length, ids.length);
      blocks.forEach((b, k) => {
        const id = ids[k]!;
        const shown = essential(b, id, retransmitted);
        const context = `query ${k} (${id}):\n${shown.join('\n')}`;
        assert.equal(shown[0], 'hugo → manager: query-dht hugo', context);
        const picked = /^manager → hugo: query-dht SUCCESS \(node: ([a-z]+), year: 1996\)$/.exec(shown[1] ?? '');
        assert.ok(picked, context);
        assert.equal(shown[2], `hugo → ${picked![1]}: find-event eventId=${id} querier=hugo path=[]`, context);
        const found = /^[a-z]+ → hugo: find-result eventId=(\d+) found=(true|false) path=\[([0-9, ]+)\]$/.exec(shown[3] ?? '');
        assert.ok(found && Number(found[1]) === id, context);
        const path = found![3]!.split(', ').map(Number);
        assert.equal(path[0], idOf.get(picked![1]!), `the path starts at the picked node: ${context}`);
        assert.equal(path.at(-1), ownerOf('1996', id, 5), `the path ends at the owner: ${context}`);
        const row = fileRows('1996').byId.get(id);
        const answer = row ? FIELD_NAMES.map((f) => `${f}: ${row[f]}`) : [`Storm event ${id} not found in the DHT.`];
        assert.equal(found![2], String(row !== undefined), context);
        assert.deepEqual(shown.slice(4), [...answer, `id-seq: ${path.join(', ')}`, 'query-dht SUCCESS'], context);
      });
    } finally {
      await hugo.stop();
    }
  });
});

/**
 * The lines of query `id`'s block without what a retransmission adds when there was one: the
 * resent datagram's trace (the same line again), and a late find-result of another query.
 */
function essential(lines: readonly string[], id: number, retransmitted: boolean): string[] {
  if (!retransmitted) return [...lines];
  return lines.filter((l, i) => {
    const m = /find-result eventId=(\d+)/.exec(l);
    return !(m !== null && Number(m[1]) !== id) && !(l.includes(' → ') && lines.indexOf(l) < i);
  });
}
