// The leaver's and the joiner's shared steps (SPEC §6.5 steps 3–5, §6.6 steps 1, 4–5): ask the
// leader to redistribute, wait for its report, and end with dht-rebuilt whatever happened, so
// that the manager is never left waiting.
import { REBUILD_BUDGET_MS } from '../../transport/timing.js';
import type { JoinDoneRequest, PeerRequest, RebuildDoneRequest, RebuildOutcome, Tuple, Unsent } from '../../wire/messages.js';
import { failure, success, type CommandResult } from '../events.js';
import type { PeerNode } from '../node.js';
import { sendCompletion, type ProcedureFailure } from './completion.js';

/**
 * Sends `ask` (rebuild-dht or join-request) to the leader and waits for the outcome message
 * (rebuild-done or join-done) it sends when the redistribution has ended. Throws when the leader
 * refuses or does not answer.
 */
export async function askAndAwaitOutcome<K extends 'rebuild-done' | 'join-done'>(
  node: PeerNode,
  leader: Tuple,
  ask: Unsent<PeerRequest>,
  outcome: K,
): Promise<K extends 'rebuild-done' ? RebuildDoneRequest : JoinDoneRequest> {
  // Wait before asking: the outcome must find its waiter even if it comes back at once.
  const done = node.p.awaitMessage(outcome, REBUILD_BUDGET_MS, leader.name);
  done.catch(() => {});
  const accepted = await node.peerRequest(leader, ask);
  if (accepted.type !== 'reply' || !accepted.ok) {
    throw new Error(`${ask.type} refused by ${leader.name}: ${accepted.type === 'reply' ? accepted.error : accepted.type}`);
  }
  return (await done) as K extends 'rebuild-done' ? RebuildDoneRequest : JoinDoneRequest;
}

/** The failure a leader's rebuild-done or join-done reports, or null when it succeeded. */
export function outcomeFailure(outcome: RebuildDoneRequest | JoinDoneRequest): ProcedureFailure | null {
  return outcome.ok ? null : { error: outcome.error ?? 'rebuild failed', broken: outcome.broken === true };
}

/** What a leave's or join's result reports of the rebuilt ring: its counts, with R ≥ 2 its copies and losses. */
export type OutcomeCounts = Pick<RebuildOutcome, 'recordsPerNode' | 'replicasPerNode' | 'lostRecords'>;

/** Sends dht-rebuilt and makes the command's result: the rebuild's error first, then the manager's. */
export async function finishRebuild(
  node: PeerNode,
  command: 'leave-dht' | 'join-dht',
  newLeader: string,
  counts: OutcomeCounts,
  failed: ProcedureFailure | null,
  mark?: number,
): Promise<CommandResult> {
  const final = await sendCompletion(node, { type: 'dht-rebuilt', name: node.name!, newLeader }, failed, mark);
  // The leave or join is over: a leaver has no business with the ring's key any more, and a
  // joiner holds it in its ring state if it got in.
  node.keys.lingering = null;
  const payload = {
    newLeader,
    recordsPerNode: counts.recordsPerNode,
    ...(counts.replicasPerNode === undefined ? {} : { replicasPerNode: counts.replicasPerNode }),
    ...(counts.lostRecords === undefined ? {} : { lostRecords: counts.lostRecords }),
  };
  return final === undefined ? success(command, payload) : failure(command, final, payload);
}
