// The new leader's side of a repair (issue 11): members died, and the manager asks this node, the
// first survivor, to rebuild the ring of the survivors (repair-dht). It is a join's rebuild
// without the teardown round, which could not pass the dead node: fresh ids and a fresh epoch in a
// set-id to every survivor (a node clears its table on a new epoch and drops stores of the old
// one), then the year is distributed from this node's own copy of the file, as after a leave.
// The outcome goes to the manager in dht-repaired. A second repair-dht (another member died
// meanwhile) supersedes a running one, which then stops without reporting.
import type { RebuildOutcome, RepairDhtRequest } from '../../wire/messages.js';
import type { PeerNode } from '../node.js';
import { carried, newEpoch, sameTuple } from '../ring-state.js';
import { retireBuild } from '../held-build.js';
import { sendCompletion } from './completion.js';
import { failed, redistribute, setIds } from './rebuild.js';

/** Starts the repair repair-dht asks for (the m-port has already said ok). */
export function startRepair(node: PeerNode, msg: RepairDhtRequest): void {
  void repair(node, msg);
}

async function repair(node: PeerNode, msg: RepairDhtRequest): Promise<void> {
  const current = node.ring;
  if (current !== null && msg.ring.some((t) => !current.ring.some((u) => sameTuple(t, u)))) {
    // A repair only ever takes members out, so one that names a node this ring no longer has is
    // older than the ring: a retransmission of a repair-dht that a newer one (another member died)
    // overtook. Acting on it would put the dead member back.
    node.note(`repair-dht naming ${msg.ring.map((t) => t.name).join(', ')} is older than this ring; ignored`, 'warn');
    return;
  }
  const run = ++node.repairs;
  node.cancelDistribution?.('superseded by a repair of the ring');
  // Whatever else this node was doing for the ring is over too: a join it leads (the manager has
  // reset the joiner), or an earlier repair. Its rounds and set-ids, let go late, would rebuild
  // the ring the repair replaces (a teardown round held up at a stopped member, say).
  const self = node.self;
  if (self === null) return;
  node.p.cancelAll('superseded by a repair of the ring');
  const r = node.ring;
  let outcome: RebuildOutcome;
  const first = msg.ring[0];
  if (r === null || first === undefined || !sameTuple(first, self)) {
    outcome = failed(`${self.name} holds no ring state of the DHT to repair`, true);
  } else {
    // With R ≥ 2 the build the repair replaces is held: its records are the repair's (held-build.ts).
    retireBuild(node);
    node.ring = { ...carried(r), id: 0, n: msg.ring.length, year: msg.year, ring: msg.ring, epoch: newEpoch(node.random) };
    try {
      await setIds(node);
      if (run !== node.repairs) return;
      outcome = await redistribute(node, 'repair');
    } catch (err) {
      outcome = failed(err, true);
    }
  }
  if (run !== node.repairs || node.name === null) return;
  // A file missing or of another s leaves the ring whole and empty (SPEC §6.5 step 5): kept, and
  // the loss reported, not hidden.
  const lost = !outcome.ok && outcome.broken !== true ? outcome.error ?? 'no records' : undefined;
  if (lost !== undefined) {
    node.note(`the repaired ring of ${msg.ring.length} holds no records: ${lost}; the leader should run teardown-dht`, 'warn');
  }
  const failure = !outcome.ok && outcome.broken === true ? { error: outcome.error ?? 'the repair failed', broken: true } : null;
  const lostRecords = outcome.ok && outcome.lostRecords !== undefined ? { lostRecords: outcome.lostRecords } : {};
  const error = await sendCompletion(node, { type: 'dht-repaired', name: node.name, ...(lost === undefined ? {} : { lost }), ...lostRecords }, failure).catch(
    (err: unknown) => String(err instanceof Error ? err.message : err),
  );
  if (error !== undefined && lost === undefined) node.note(`the repair of the ring failed: ${error}`, 'warn');
}
