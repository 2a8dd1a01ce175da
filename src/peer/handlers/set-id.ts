// set-id (SPEC §6.2 step 1, D2): the leader tells a node its id, n, s, the year and the ring.
import type { Address } from '../../transport/udp-socket.js';
import type { SetIdRequest } from '../../wire/messages.js';
import type { PeerNode } from '../node.js';
import { provingKey } from '../ring-auth.js';
import { sameTuple } from '../ring-state.js';
import { retireBuild } from '../held-build.js';

/** `raw` is the datagram: the key that proved it (the endpoint admitted it) becomes the ring's. */
export function onSetId(node: PeerNode, msg: SetIdRequest, from: Address, raw: Buffer): void {
  const self = node.self!;
  const named = msg.ring[msg.id];
  if (msg.ring.length !== msg.n || msg.n < 1 || named === undefined || !sameTuple(named, self)) {
    node.reply(from, msg.rid, {
      ok: false,
      error: `set-id gives id ${msg.id} to ${named?.name ?? 'nobody'} in a ring of ${msg.ring.length}, not to ${self.name}`,
    });
    return;
  }
  const leader = msg.ring[0]!;
  if (msg.grant === undefined && node.ring !== null && !node.ring.ring.some((t) => sameTuple(t, leader))) {
    // A rebuild of this DHT (a join or a repair) by a leader the ring has moved past: one the
    // manager evicted while it was stopped, which woke and carried on (issue 11). Not answered.
    node.note(`set-id from ${leader.name}, who is not in this ring (any more); dropped`, 'warn');
    return;
  }
  const key = provingKey(node, msg, raw);
  if (key === null) return; // admitted, so unreachable; a set-id is never adopted without its key
  if (msg.grant !== undefined) node.keys.newestSerial = Math.max(node.keys.newestSerial, msg.grant.serial);
  // A new build of the ring starts from an empty table (with R ≥ 2 the whole build it replaces is
  // held aside, held-build.ts); a repeat of the same build keeps it.
  if (node.ring?.epoch !== msg.epoch) {
    retireBuild(node);
    // A distribution this node still runs belongs to a build that another leader has replaced (a
    // repair after the leaver that asked for it died, issue 11): its stores would be dropped anyway.
    node.cancelDistribution?.('the ring was rebuilt by another leader');
  }
  const replication = msg.replicas === undefined ? {} : { l: msg.l, lost: msg.lost };
  node.ring = { id: msg.id, n: msg.n, s: msg.s, year: msg.year, ring: msg.ring, epoch: msg.epoch, key, replicas: msg.replicas ?? 1, ...definedOnly(replication) };
  for (const t of msg.ring) node.learn(t);
  node.reply(from, msg.rid, { ok: true });
}

/** The object without its undefined values (a ring state's optional keys are absent, not undefined). */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
