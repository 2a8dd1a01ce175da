// leave-dht run by a member U (SPEC §6.5): teardown, renumber with reset-id, ask the new leader to
// rebuild, wait for rebuild-done, then dht-rebuilt. Once the manager said SUCCESS, U always ends
// with dht-rebuilt, so the manager is never left waiting (§6.5 step 5).
import { REBUILD_BUDGET_MS } from '../../transport/timing.js';
import type { RebuildDoneRequest } from '../../wire/messages.js';
import { errorMessage } from '../errors.js';
import { failure, success, type CommandResult } from '../events.js';
import type { PeerNode } from '../node.js';
import { newEpoch, ringWithout } from '../ring-state.js';
import { ringTeardown } from './ring-teardown.js';

export async function leaveDht(node: PeerNode): Promise<CommandResult> {
  const name = node.name!;
  const r = node.ring;
  if (r === null) return failure('leave-dht', 'this peer is not in a DHT');
  const reply = await node.managerRequest({ type: 'leave-dht', name });
  if (!reply.ok) return failure('leave-dht', reply.error ?? 'refused');

  const newRing = ringWithout(r.ring, r.id);
  const newLeader = newRing[0]!;
  let counts: readonly number[] = [];
  let error: string | undefined;
  try {
    await ringTeardown(node, false);
    await node.peerRequest(newLeader, { type: 'reset-id', origin: node.self!, id: 0, n: newRing.length, ring: newRing, epoch: newEpoch(node.random) });
    node.ring = null;
    node.table.clear();
    // Wait before asking: the rebuild-done must find its waiter even if it comes back at once.
    const done = node.p.awaitMessage('rebuild-done', REBUILD_BUDGET_MS, newLeader.name);
    done.catch(() => {});
    const accepted = await node.peerRequest(newLeader, { type: 'rebuild-dht', origin: node.self!, year: r.year, s: r.s });
    if (accepted.type !== 'reply' || !accepted.ok) throw new Error(`rebuild-dht refused by ${newLeader.name}: ${accepted.type === 'reply' ? accepted.error : accepted.type}`);
    const outcome = (await done) as RebuildDoneRequest;
    counts = outcome.recordsPerNode;
    if (!outcome.ok) error = outcome.error ?? 'rebuild failed';
  } catch (err) {
    error = errorMessage(err);
  }
  node.ring = null;
  node.table.clear();
  const rebuilt = await node.managerRequest({ type: 'dht-rebuilt', name, newLeader: newLeader.name });
  const payload = { newLeader: newLeader.name, recordsPerNode: counts };
  if (error !== undefined) return failure('leave-dht', error, payload);
  if (!rebuilt.ok) return failure('leave-dht', `dht-rebuilt: ${rebuilt.error ?? 'refused'}`, payload);
  return success('leave-dht', payload);
}
