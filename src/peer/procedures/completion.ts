// The completions — dht-complete, dht-rebuilt, teardown-complete — end a procedure the manager
// awaits. They are sent whatever happened, so that the manager is never left waiting (SPEC §6.2
// step 5, §6.5 step 5, §6.7). A failure that may have left the ring inconsistent (the network
// defeated a step) is reported with the `failed` key: the manager then tears the DHT down and
// resets the other members, and this node, whose ring is gone either way, drops its own at once.
import type { DhtRebuiltRequest, DhtRepairedRequest, NameOnlyRequest, Unsent } from '../../wire/messages.js';
import type { PeerNode } from '../node.js';

/** Why a procedure failed; `broken` when the ring may be inconsistent (see RebuildOutcome.broken). */
export interface ProcedureFailure {
  readonly error: string;
  readonly broken: boolean;
}

/**
 * Sends the completion; resolves with the command's error, or undefined when it succeeded. `mark`
 * is node.resets when the procedure began: if the manager has reset the DHT since, it no longer
 * awaits this completion, and the reset's reason is the command's error.
 */
export async function sendCompletion(
  node: PeerNode,
  completion: Unsent<NameOnlyRequest> | Unsent<DhtRebuiltRequest> | Unsent<DhtRepairedRequest>,
  failure: ProcedureFailure | null,
  mark?: number,
): Promise<string | undefined> {
  if (mark !== undefined && node.resets !== mark) {
    node.dropRing();
    return `the manager reset the DHT: ${node.lastReset ?? 'no reason given'}`;
  }
  if (failure?.broken) {
    node.dropRing();
    const reply = await node.managerRequest({ ...completion, failed: failure.error });
    return reply.ok ? `${failure.error}; the DHT was torn down` : `${failure.error}; ${completion.type}: ${reply.error ?? 'refused'}`;
  }
  const reply = await node.managerRequest(completion);
  if (failure !== null) return failure.error;
  return reply.ok ? undefined : `${completion.type}: ${reply.error ?? 'refused'}`;
}
