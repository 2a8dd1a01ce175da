// join-dht run by a Free peer J (SPEC §6.6, D16): ask the leader to add it, wait for join-done,
// then dht-rebuilt. The leader is unchanged.
import { errorMessage } from '../errors.js';
import { failure, type CommandResult } from '../events.js';
import type { PeerNode } from '../node.js';
import { keyBytes } from '../../wire/mac.js';
import type { ProcedureFailure } from './completion.js';
import { askAndAwaitOutcome, finishRebuild, outcomeFailure, type OutcomeCounts } from './rebuild-outcome.js';

export async function joinDht(node: PeerNode): Promise<CommandResult> {
  const reply = await node.managerRequest({ type: 'join-dht', name: node.name! });
  if (!reply.ok) return failure('join-dht', reply.error ?? 'refused');
  const mark = node.resets;
  const leader = reply.leader;
  if (!leader) return failure('join-dht', 'the manager did not name the leader');
  // The DHT's key: the join-request is proven with it, and the leader's set-id checked with it.
  node.keys.lingering = keyBytes(reply.key);

  let counts: OutcomeCounts = { recordsPerNode: [] };
  let failed: ProcedureFailure | null = null;
  try {
    const outcome = await askAndAwaitOutcome(node, leader, { type: 'join-request', joiner: node.self! }, 'join-done');
    counts = outcome;
    failed = outcomeFailure(outcome);
  } catch (err) {
    // No outcome: the leader may have renumbered part of the ring, this node included.
    failed = { error: errorMessage(err), broken: true };
  }
  return finishRebuild(node, 'join-dht', leader.name, counts, failed, mark);
}
