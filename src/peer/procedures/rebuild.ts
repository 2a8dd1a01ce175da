// The leader's side of a leave or a join (SPEC §6.5 step 3, §6.6 steps 2–4): read the year's file
// again from its own data directory, check that it gives the ring's s, redistribute, and report
// the outcome to the leaver or joiner.
import type { NamedGrant } from '../../wire/grant.js';
import type { RebuildOutcome, Tuple } from '../../wire/messages.js';
import { SendWindow } from '../../transport/send-window.js';
import { STORE_WINDOW } from '../../transport/timing.js';
import { errorMessage } from '../errors.js';
import type { PeerNode } from '../node.js';
import { carried, newEpoch, ringWith } from '../ring-state.js';
import { gatherRing } from './gather.js';
import { distribute } from './distribute.js';
import { ringTeardown } from './ring-teardown.js';

/** New leader after a leave: the ring is renumbered already; redistribute and tell the leaver. */
export async function rebuildAfterLeave(node: PeerNode, leaver: Tuple): Promise<void> {
  const outcome = await redistribute(node, 'rebuild');
  await report(node, leaver, () => node.peerRequest(leaver, { type: 'rebuild-done', ...outcome }));
}

/** Leader on a join request: tear down, append the joiner as id n, set ids, redistribute. */
export async function rebuildForJoin(node: PeerNode, joiner: Tuple): Promise<void> {
  let outcome: RebuildOutcome;
  try {
    await ringTeardown(node, false);
    const r = node.ring!;
    const ring = ringWith(r.ring, joiner);
    const epoch = newEpoch(node.random);
    node.ring = { ...carried(r), id: 0, n: ring.length, ring, epoch };
    await setIds(node);
    outcome = await redistribute(node, 'join');
  } catch (err) {
    // The teardown or a set-id ran out: the ring's states may disagree.
    outcome = failed(err, true);
  }
  const ring = node.ring?.ring ?? [];
  await report(node, joiner, () => node.peerRequest(joiner, { type: 'join-done', ...outcome, ring }));
}

/**
 * Sends set-id to every node 1…n−1 of node.ring and waits for all the replies. At setup each
 * carries its member's grant (from the manager's reply); at a join the members hold the key already.
 */
export async function setIds(node: PeerNode, grants: readonly NamedGrant[] = []): Promise<void> {
  const r = node.ring!;
  // Windowed like stores: each set-id carries the whole ring (about 45 bytes a node), so a
  // thousand of them at once would overflow the receivers' buffers.
  const window = new SendWindow(STORE_WINDOW);
  // R ≥ 2 copies (issue 12): every member learns R, l and the records lost so far; SPEC's set-id otherwise.
  const replication = r.replicas >= 2 ? { replicas: r.replicas, ...(r.l === undefined ? {} : { l: r.l }), ...(r.lost === undefined ? {} : { lost: r.lost }) } : {};
  await Promise.all(
    r.ring.slice(1).map((t, i) =>
      window.run(async () => {
        const named = grants.find((g) => g.name === t.name);
        const grant = named === undefined ? {} : { grant: { serial: named.serial, sealed: named.sealed, tag: named.tag } };
        const answer = await node.peerRequest(t, { type: 'set-id', id: i + 1, n: r.n, s: r.s, year: r.year, ring: r.ring, epoch: r.epoch!, ...grant, ...replication });
        if (answer.type !== 'reply' || !answer.ok) {
          throw new Error(`set-id refused by ${t.name}: ${answer.type === 'reply' ? answer.error : answer.type}`);
        }
      }),
    ),
  );
}

export async function redistribute(node: PeerNode, reason: 'rebuild' | 'join' | 'repair'): Promise<RebuildOutcome> {
  try {
    const r = node.ring!;
    if (r.replicas >= 2) return await redistributeFromRing(node, reason);
    const loaded = node.loadYear(r.year);
    // A file that fails its checks fails the rebuild before any record is sent: the ring stays
    // whole and empty (§6.5 step 5).
    if (!loaded.ok) return failed(loaded.error, false);
    if (loaded.data.s !== r.s) {
      return failed(`details-${r.year}.csv here gives s = ${loaded.data.s}, but the ring has s = ${r.s}`, false);
    }
    const result = await distribute(node, loaded.data, reason);
    return result.error
      ? { ok: false, error: result.error, broken: true, records: loaded.data.l, recordsPerNode: result.counts }
      : { ok: true, records: loaded.data.l, recordsPerNode: result.counts };
  } catch (err) {
    return failed(err, true);
  }
}

/**
 * With R ≥ 2 copies (issue 12): the records come from the ring's own copies (gather.ts), not from
 * a file, and go out again with R copies. Records no member held any more are reported as lost.
 */
async function redistributeFromRing(node: PeerNode, reason: 'rebuild' | 'join' | 'repair'): Promise<RebuildOutcome> {
  const gathered = await gatherRing(node);
  const r = node.ring!;
  if (gathered.lost !== undefined) node.ring = { ...r, lost: gathered.lost };
  const lostRecords = node.ring!.lost?.count ?? 0;
  const result = await distribute(node, gathered.data, reason);
  const copies = { replicasPerNode: result.copies ?? [], ...(lostRecords > 0 ? { lostRecords } : {}) };
  return result.error
    ? { ok: false, error: result.error, broken: true, records: gathered.data.l, recordsPerNode: result.counts, ...copies }
    : { ok: true, records: gathered.data.l, recordsPerNode: result.counts, ...copies };
}

export function failed(err: unknown, broken: boolean): RebuildOutcome {
  return { ok: false, error: errorMessage(err), ...(broken ? { broken } : {}), records: 0, recordsPerNode: [] };
}

async function report(node: PeerNode, to: Tuple, send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (err) {
    node.note(`could not report the rebuild to ${to.name}: ${errorMessage(err)}`, 'warn');
  }
}
