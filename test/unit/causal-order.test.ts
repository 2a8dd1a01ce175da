// causal-order.ts: happened-before over the cluster's processes' lines, stamps only as tie-breakers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { causalOrder, type Happening } from '../../src/cli/causal-order.js';

interface Item {
  readonly name: string;
  readonly hs: Happening[];
}
const h = (process: string, seq: number, at: number): Happening => ({ process, seq, at });
const names = (items: Item[]) => causalOrder(items, (i) => i.hs).map((i) => i.name);

test('a reply is after its request however the stamps read, and unrelated items go by their stamps', () => {
  const request: Item = { name: 'request', hs: [h('a', 1, 50), h('b', 1, 40)] };
  const reply: Item = { name: 'reply', hs: [h('b', 2, 30), h('a', 2, 60)] }; // b stamped its send before a's send
  const other: Item = { name: 'other', hs: [h('c', 1, 35)] };
  // 'other' is stamped before the request was sent (35 < 50), and nothing orders it otherwise.
  assert.deepEqual(names([reply, other, request]), ['other', 'request', 'reply']);
  const late: Item = { name: 'late', hs: [h('c', 1, 55)] };
  // The reply's send is stamped 30, yet it can only follow the request's receipt.
  assert.deepEqual(names([reply, late, request]), ['request', 'reply', 'late']);
});

test('one-sided items (only a receipt) keep their process order', () => {
  const items: Item[] = [
    { name: 'second', hs: [h('a', 2, 1)] },
    { name: 'first', hs: [h('a', 1, 9)] },
  ];
  assert.deepEqual(names(items), ['first', 'second']);
});

test('lines that contradict themselves (a cycle) still give every item once', () => {
  const items: Item[] = [
    { name: 'x', hs: [h('a', 2, 1), h('b', 1, 2)] },
    { name: 'y', hs: [h('b', 2, 3), h('a', 1, 4)] },
  ];
  assert.deepEqual(names(items).sort(), ['x', 'y']);
});

test('property: for random executions, every process order and every send-before-receipt holds', () => {
  // A random execution: each step one process sends to another, or receives the oldest pending datagram to it.
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(3), fc.nat(3), fc.boolean(), fc.nat(20)), { minLength: 1, maxLength: 60 }), (plan) => {
      const seq = new Map<string, number>();
      const pending: Array<{ item: Item; to: string }> = [];
      const items: Item[] = [];
      let clock = 0;
      const happen = (p: string, skew: number) => {
        const s = (seq.get(p) ?? 0) + 1;
        seq.set(p, s);
        clock += 1;
        return h(p, s, clock + skew); // stamps skewed by up to 20: out of order across processes
      };
      for (const [from, to, receive, skew] of plan) {
        const inbox = pending.findIndex((d) => d.to === `p${to}`);
        if (receive && inbox >= 0) {
          const [d] = pending.splice(inbox, 1);
          d!.item.hs.push(happen(d!.to, skew));
        } else if (from !== to) {
          const item: Item = { name: `m${items.length}`, hs: [happen(`p${from}`, skew)] };
          items.push(item);
          pending.push({ item, to: `p${to}` });
        }
      }
      const ordered = causalOrder(items, (i) => i.hs);
      const place = new Map(ordered.map((it, k) => [it, k]));
      assert.equal(ordered.length, items.length);
      // An item's place is its send; a receipt before a process's later send puts that send later.
      const all = items.flatMap((it) => it.hs.map((x, k) => ({ it, x, k })));
      for (const a of all) {
        for (const b of all) {
          if (a.x.process === b.x.process && a.x.seq < b.x.seq && b.k === 0 && a.it !== b.it) {
            assert.ok(place.get(a.it)! < place.get(b.it)!, `${a.it.name} before ${b.it.name}`);
          }
        }
      }
    }),
  );
});
