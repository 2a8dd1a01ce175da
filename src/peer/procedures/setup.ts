// setup-dht run by the leader after the manager's SUCCESS (SPEC §6.2): ids, populate, count,
// report, then dht-complete (D8), which reports a failure for the manager to tear the DHT down. The file is loaded and validated before the manager is asked.
import type { YearData } from '../../data/csv.js';
import { errorMessage } from '../errors.js';
import { failure, success, type CommandResult } from '../events.js';
import type { PeerNode } from '../node.js';
import { newEpoch } from '../ring-state.js';
import { keyBytes } from '../../wire/mac.js';
import { GRANTS_PER_PAGE, type NamedGrant } from '../../wire/grant.js';
import { sendCompletion } from './completion.js';
import { distribute } from './distribute.js';
import { setIds } from './rebuild.js';

export async function setupDht(node: PeerNode, n: number, data: YearData): Promise<CommandResult> {
  const name = node.name!;
  const reply = await node.managerRequest({ type: 'setup-dht', name, n, year: data.year });
  if (!reply.ok) return failure('setup-dht', reply.error ?? 'refused');
  const mark = node.resets;
  const ring = reply.ring ?? [];
  // The DHT's key, which this node proves its ring messages with, and the members' grants of it.
  const key = keyBytes(reply.key);
  // R, the copies of every record (issue 12): the manager's setting, absent for SPEC's one copy.
  const replicas = reply.replicas ?? 1;
  const replication = replicas >= 2 ? { l: data.l } : {};
  if (key !== null) node.ring = { id: 0, n: ring.length, s: data.s, year: data.year, ring, epoch: newEpoch(node.random), key, replicas, ...replication };
  if (reply.serial !== undefined) node.keys.newestSerial = Math.max(node.keys.newestSerial, reply.serial);
  for (const t of ring) node.learn(t);

  let counts: readonly number[] = [];
  let copies: readonly number[] | undefined;
  let error: string | undefined;
  try {
    if (key === null) throw new Error('the manager gave no key for the DHT');
    await setIds(node, await allGrants(node, ring.length, reply.grants ?? []));
    const result = await distribute(node, data, 'setup');
    counts = result.counts;
    copies = result.copies;
    error = result.error;
  } catch (err) {
    error = errorMessage(err);
  }
  // The file was checked before the manager was asked, so any failure here comes from the ring:
  // records may be missing, and the DHT is torn down.
  const final = await sendCompletion(node, { type: 'dht-complete', name }, error === undefined ? null : { error, broken: true }, mark);
  const payload = {
    records: data.l,
    s: data.s,
    recordsPerNode: counts,
    ...(replicas >= 2 ? { replicasPerNode: copies ?? [] } : {}),
    ring: ring.map((t, id) => ({ id, name: t.name, ip: t.ip, port: t.port })),
  };
  return final === undefined ? success('setup-dht', payload) : failure('setup-dht', final, payload);
}

/**
 * The grants of members 1…n−1: those setup-dht's reply had room for, then the rest from the
 * manager, GRANTS_PER_PAGE at a time (a ring of hundreds of members does not fit one reply).
 */
async function allGrants(node: PeerNode, n: number, first: readonly NamedGrant[]): Promise<NamedGrant[]> {
  const grants = [...first];
  while (grants.length < n - 1) {
    const from = grants.length + 1;
    const page = await node.managerRequest({ type: 'dht-grants', name: node.name!, from, count: Math.min(GRANTS_PER_PAGE, n - from) });
    if (!page.ok || page.grants === undefined || page.grants.length === 0) throw new Error(`dht-grants from ${from}: ${page.error ?? 'no grants given'}`);
    grants.push(...page.grants);
  }
  return grants;
}
