// leave-dht run by a member U (SPEC §6.5): teardown, renumber with reset-id, ask the new leader to
// rebuild, wait for rebuild-done, then dht-rebuilt. Once the manager said SUCCESS, U always ends
// with dht-rebuilt, so the manager is never left waiting (§6.5 step 5).
import { errorMessage } from '../errors.js';
import { failure, type CommandResult } from '../events.js';
import type { PeerNode } from '../node.js';
import { newEpoch, ringWithout } from '../ring-state.js';
import type { ProcedureFailure } from './completion.js';
import { askAndAwaitOutcome, finishRebuild, outcomeFailure, type OutcomeCounts } from './rebuild-outcome.js';
import { ringTeardown } from './ring-teardown.js';

export async function leaveDht(node: PeerNode): Promise<CommandResult> {
  if (node.ring === null) return failure('leave-dht', 'this peer is not in a DHT');
  const reply = await node.managerRequest({ type: 'leave-dht', name: node.name! });
  if (!reply.ok) return failure('leave-dht', reply.error ?? 'refused');
  const mark = node.resets;
  // The ring as it is now, not as it was when leave-dht was sent: the manager may have taken a
  // join first (a lost leave-dht is retransmitted), whose set-id renumbered this node meanwhile.
  // Renumbering from the old ring would leave the joiner out of the new one.
  // Lost meanwhile (a late dht-reset): no new leader can be named, so no dht-rebuilt is sent, and
  // the manager's give-up resets the members after its await timeout.
  const r = node.ring;
  if (r === null) return failure('leave-dht', 'this peer lost its ring while the manager was asked');

  const newRing = ringWithout(r.ring, r.id);
  const newLeader = newRing[0]!;
  let counts: OutcomeCounts = { recordsPerNode: [] };
  let failed: ProcedureFailure | null = null;
  try {
    await ringTeardown(node, false);
    const epoch = newEpoch(node.random);
    await node.peerRequest(newLeader, { type: 'reset-id', origin: node.self!, id: 0, n: newRing.length, ring: newRing, epoch });
    // Out of the ring, this node keeps the key until the rebuild is reported (rebuild-dht, rebuild-done).
    node.keys.lingering = r.key;
    node.dropRing();
    const outcome = await askAndAwaitOutcome(node, newLeader, { type: 'rebuild-dht', origin: node.self!, year: r.year, s: r.s }, 'rebuild-done');
    counts = outcome;
    failed = outcomeFailure(outcome);
  } catch (err) {
    // A round or a request that ran out: the ring's states may disagree.
    failed = { error: errorMessage(err), broken: true };
  }
  // U is out of the ring whatever happened.
  node.dropRing();
  return finishRebuild(node, 'leave-dht', newLeader.name, counts, failed, mark);
}
