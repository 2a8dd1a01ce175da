// Populate and count (SPEC §6.2 steps 2–4), run by node 0 of the current ring for setup, leave
// and join alike: records go out in batches that fit one datagram, through the right neighbour,
// with at most STORE_WINDOW unacknowledged; then a count message collects every node's total.
import { ownerOf } from '../../data/hashing.js';
import type { YearData } from '../../data/csv.js';
import { OvertakeDetector } from '../../transport/overtake-detector.js';
import { RttEstimator } from '../../transport/rtt.js';
import { SendWindow } from '../../transport/send-window.js';
import { STORE_WINDOW } from '../../transport/timing.js';
import { encodePackedStore, encodeStore } from '../../wire/codec.js';
import type { CountRequest } from '../../wire/messages.js';
import type { PeerNode } from '../node.js';
import { RESET_DURING_DISTRIBUTION } from '../errors.js';
import { copiesOf, rightNeighbour } from '../ring-state.js';
import { ownerBatches, positionsOf, type StoreBatch } from './store-batches.js';
import { prepareStandby } from './standby.js';

/** The confirmed counts, and an error when they do not sum to l (D7). */
export interface Distribution {
  readonly counts: readonly number[];
  /** With R ≥ 2 copies (issue 12): the copies each node confirmed. */
  readonly copies?: readonly number[];
  readonly error?: string;
}

/** Distributes `data` over node.ring (this node is its id 0) and reports the confirmed counts. */
export async function distribute(node: PeerNode, data: YearData, reason: 'setup' | 'rebuild' | 'join' | 'repair'): Promise<Distribution> {
  const r = node.ring;
  const self = node.self!;
  if (r === null || r.id !== 0 || r.epoch === null) throw new Error('only node 0 of a built ring distributes');
  const epoch = r.epoch;
  const copies = copiesOf(r);
  node.table.clear();
  node.copies.clear();
  node.storeTraffic.reset();

  // Node 0's own records go straight into its table, as the file's lines.
  positionsOf(data).forEach((pos, i) => {
    if (ownerOf(pos, r.n) === 0) node.table.putLine(pos, data.ids[i]!, data.lines[i]!);
  });

  const right = rightNeighbour(r);
  // SPEC §6.2: every store goes to the right neighbour, which forwards it towards its owner.
  // With --placement direct each batch goes straight to its owner instead (one hop). With R ≥ 2
  // node 0's own records go too, to the copies after it (issue 12); and so does a batch whose
  // chain of copies wraps round past node 0 to nodes before its owner, which would otherwise meet
  // it twice: once on its way to the owner, once as a copy.
  const straight = (owner: number) => owner !== 0 && (node.placement === 'direct' || owner + copies - 1 > r.n);
  const firstHop = (owner: number) => (straight(owner) ? r.ring[owner]! : right);
  const window = new SendWindow(STORE_WINDOW);
  // Stores for one owner all travel the same hops, so their acks come back in order: one that is
  // overtaken by later acks was lost, and is resent without waiting for its timer.
  const overtakes = new OvertakeDetector();
  // Each owner's stores cross their own number of hops: each path has its own round-trip estimate,
  // starting from the peer's general one scaled to its hops, and backing off until it has
  // measured its own.
  // With R copies a store's ack comes from the last of them, R − 1 hops further on.
  const hopsTo = (owner: number) => (straight(owner) ? 1 : Math.max(owner, 1)) + copies - 1;
  const rtts = Array.from({ length: r.n }, (_, owner) => new RttEstimator({ backoff: true, startFrom: node.p.rtt, hops: hopsTo(owner) }));
  // The first failure (a store out of budget, or the ring reset under us) ends the distribution:
  // queued batches are not sent and those in flight are withdrawn, instead of each one
  // retransmitting through its whole budget.
  const inFlight = new Set<string>();
  let abort: Error | null = null;
  const stop = (err: Error) => {
    if (abort !== null) return;
    abort = err;
    for (const rid of inFlight) node.p.cancel(rid, err.message);
  };
  node.cancelDistribution = (reason) => stop(new Error(reason));
  const store = async (owner: number, batch: StoreBatch) => {
    if (abort === null && node.ring?.epoch !== epoch) stop(new Error(RESET_DURING_DISTRIBUTION));
    if (abort !== null) throw abort;
    let rid = '';
    try {
      await node.peerRequest(
        firstHop(owner),
        { type: 'store', origin: self, owner, epoch, records: batch.packed === undefined ? batch.records : [], count: batch.count },
        {
          who: r.ring[owner]!.name,
          rtt: rtts[owner]!,
          onRid: (id) => {
            rid = id;
            inFlight.add(id);
            overtakes.sent(owner, id);
          },
          encode: (id) =>
            batch.packed === undefined ? encodeStore(id, self, owner, epoch, batch.json) : encodePackedStore(id, self, owner, epoch, batch.count, batch.packed),
        },
      );
    } catch (err) {
      stop(err as Error);
      throw abort;
    } finally {
      inFlight.delete(rid);
      for (const lost of overtakes.finished(owner, rid)) node.p.retransmitNow(lost);
    }
  };
  const plans = Array.from({ length: r.n }, (_, owner) =>
    owner === 0 && copies === 1 ? [] : ownerBatches(data, r.n, owner, self, epoch, node.batchBytes, node.storeEncoding),
  );
  const total = copies === 1 ? data.l - node.table.size : data.l;
  let acknowledged = 0;
  const progress = (finished: boolean) => node.emit({ kind: 'progress', task: reason, year: data.year, done: acknowledged, total, finished });
  const sends: Promise<unknown>[] = [];
  // Round robin over the owners: each owner's batches stay in order on its path (for the overtake
  // detector), and every owner stores at once, instead of one owner's work holding up the window
  // while the others idle. A batch is taken (and, the first time, packed) only when the window
  // has a slot for it, so packing overlaps the stores in flight.
  const order = roundRobin(plans);
  for (;;) {
    await window.acquire();
    const next = abort === null ? order.next() : null;
    if (next === null || next.done === true) {
      window.release();
      break;
    }
    const [owner, batch] = next.value;
    const sent = store(owner, batch)
      .then(() => {
        acknowledged += batch.count;
        progress(false);
      })
      .finally(() => window.release());
    // Awaited below with the others; a failure before then must not count as unhandled.
    sent.catch(() => {});
    sends.push(sent);
  }
  try {
    await Promise.all(sends);
  } finally {
    node.cancelDistribution = null;
    progress(true);
  }
  node.storeTraffic.flush((text) => node.note(text));
  assertSameBuild(node, epoch);

  const replicated = copies > 1 ? { copies: [node.copies.size], ...(r.lost === undefined ? {} : { lost: r.lost }) } : {};
  const answer = (await node.peerRequest(right, { type: 'count', origin: self, epoch, counts: [node.table.size], ...replicated }, { who: 'the ring' })) as CountRequest;
  assertSameBuild(node, epoch);
  const counts = fill(answer.counts, r.n);
  // The count went round: every node's table of this build is whole (so is this one's), and the
  // build it replaced is no longer needed (held-build.ts).
  node.countedEpoch = epoch;
  node.held = null;
  const copyCounts = copies > 1 ? fill(answer.copies ?? [], r.n) : undefined;
  const lost = copies > 1 && r.l !== undefined ? { lost: r.l - data.l } : {};
  node.emit({ kind: 'counts', reason, year: data.year, l: data.l, s: data.s, ring: r.ring, counts, ...(copyCounts === undefined ? {} : { copies: copyCounts }), ...lost });
  const withCopies = copyCounts === undefined ? {} : { copies: copyCounts };
  const sum = counts.reduce((a, b) => a + b, 0);
  if (sum !== data.l) return { counts, ...withCopies, error: `stored counts sum to ${sum}, expected ${data.l}` };
  if (copyCounts !== undefined) {
    const wrong = copyError(counts, copyCounts, copies);
    if (wrong !== null) return { counts, ...withCopies, error: wrong };
  }
  prepareStandby(node);
  return { counts, ...withCopies };
}

/** The first n entries of a count list, 0 for those missing. */
function fill(list: readonly number[], n: number): number[] {
  const out = list.slice(0, n);
  while (out.length < n) out.push(0);
  return out;
}

/**
 * Why the copies counted do not match the records counted, or null when they do: node i keeps a
 * copy of every record of the R − 1 nodes before it, so its copies are the sum of their counts.
 */
export function copyError(counts: readonly number[], copies: readonly number[], r: number): string | null {
  const n = counts.length;
  for (let i = 0; i < n; i++) {
    let expected = 0;
    for (let k = 1; k < r; k++) expected += counts[(i - k + n) % n]!;
    if (copies[i] !== expected) return `node ${i} counted ${copies[i]} copies, but the ${r - 1} nodes before it own ${expected} records`;
  }
  return null;
}

/** Stops a distribution whose ring was reset or rebuilt meanwhile (a dht-reset from the manager). */
function assertSameBuild(node: PeerNode, epoch: string): void {
  if (node.ring?.epoch === epoch) return;
  if (node.ring === null) node.table.clear();
  throw new Error(RESET_DURING_DISTRIBUTION);
}

/**
 * [index, item] of the lists' items: the first of each list, then the second of each, and so on.
 * Lists are read by at(k) as the items are taken, so a lazy list (BatchPlan) makes each item only
 * when it is reached.
 */
export function* roundRobin<T>(lists: readonly { at(k: number): T | undefined }[]): Generator<[number, T]> {
  for (let k = 0; ; k++) {
    let any = false;
    for (let i = 0; i < lists.length; i++) {
      const item = lists[i]!.at(k);
      if (item === undefined) continue;
      any = true;
      yield [i, item];
    }
    if (!any) return;
  }
}
