// join-dht run by a Free peer J (SPEC §6.6, D16): ask the leader to add it, wait for join-done,
// then dht-rebuilt. The leader is unchanged.
import { REBUILD_BUDGET_MS } from '../../transport/timing.js';
import type { JoinDoneRequest } from '../../wire/messages.js';
import { errorMessage } from '../errors.js';
import { failure, success, type CommandResult } from '../events.js';
import type { PeerNode } from '../node.js';

export async function joinDht(node: PeerNode): Promise<CommandResult> {
  const name = node.name!;
  const reply = await node.managerRequest({ type: 'join-dht', name });
  if (!reply.ok) return failure('join-dht', reply.error ?? 'refused');
  const leader = reply.leader;
  if (!leader) return failure('join-dht', 'the manager did not name the leader');

  let counts: readonly number[] = [];
  let error: string | undefined;
  try {
    const done = node.p.awaitMessage('join-done', REBUILD_BUDGET_MS, leader.name);
    done.catch(() => {});
    const accepted = await node.peerRequest(leader, { type: 'join-request', joiner: node.self! });
    if (accepted.type !== 'reply' || !accepted.ok) throw new Error(`join-request refused by ${leader.name}: ${accepted.type === 'reply' ? accepted.error : accepted.type}`);
    const outcome = (await done) as JoinDoneRequest;
    counts = outcome.recordsPerNode;
    if (!outcome.ok) error = outcome.error ?? 'rebuild failed';
  } catch (err) {
    error = errorMessage(err);
  }
  const rebuilt = await node.managerRequest({ type: 'dht-rebuilt', name, newLeader: leader.name });
  const payload = { newLeader: leader.name, recordsPerNode: counts };
  if (error !== undefined) return failure('join-dht', error, payload);
  if (!rebuilt.ok) return failure('join-dht', `dht-rebuilt: ${rebuilt.error ?? 'refused'}`, payload);
  return success('join-dht', payload);
}
