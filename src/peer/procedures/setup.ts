// setup-dht run by the leader after the manager's SUCCESS (SPEC §6.2): ids, populate, count,
// report, then dht-complete (D8). The file is loaded and validated before the manager is asked.
import type { YearData } from '../../data/csv.js';
import { errorMessage } from '../errors.js';
import { failure, success, type CommandResult } from '../events.js';
import type { PeerNode } from '../node.js';
import { newEpoch } from '../ring-state.js';
import { distribute } from './distribute.js';
import { setIds } from './rebuild.js';

export async function setupDht(node: PeerNode, n: number, data: YearData): Promise<CommandResult> {
  const name = node.name!;
  const reply = await node.managerRequest({ type: 'setup-dht', name, n, year: data.year });
  if (!reply.ok) return failure('setup-dht', reply.error ?? 'refused');
  const ring = reply.ring ?? [];
  node.ring = { id: 0, n: ring.length, s: data.s, year: data.year, ring, epoch: newEpoch(node.random) };
  for (const t of ring) node.learn(t);

  let counts: readonly number[] = [];
  let error: string | undefined;
  try {
    await setIds(node);
    const result = await distribute(node, data, 'setup');
    counts = result.counts;
    error = result.error;
  } catch (err) {
    error = errorMessage(err);
  }
  // dht-complete is sent even after a failure, so that the manager is never left waiting (§6.2 step 5).
  const done = await node.managerRequest({ type: 'dht-complete', name });
  const payload = {
    records: data.l,
    s: data.s,
    recordsPerNode: counts,
    ring: ring.map((t, id) => ({ id, name: t.name, ip: t.ip, port: t.port })),
  };
  if (error !== undefined) return failure('setup-dht', error, payload);
  if (!done.ok) return failure('setup-dht', `dht-complete: ${done.error ?? 'refused'}`, payload);
  return success('setup-dht', payload);
}
