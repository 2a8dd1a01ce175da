// teardown-dht run by the leader (SPEC §6.7): a final teardown round, then teardown-complete.
import { errorMessage } from '../errors.js';
import { failure, success, type CommandResult } from '../events.js';
import type { PeerNode } from '../node.js';
import { sendCompletion, type ProcedureFailure } from './completion.js';
import { ringTeardown } from './ring-teardown.js';

export async function teardownDht(node: PeerNode): Promise<CommandResult> {
  const name = node.name!;
  const reply = await node.managerRequest({ type: 'teardown-dht', name });
  if (!reply.ok) return failure('teardown-dht', reply.error ?? 'refused');
  const mark = node.resets;
  let failed: ProcedureFailure | null = null;
  try {
    await ringTeardown(node, true);
  } catch (err) {
    // Members the round did not reach still hold their ring: the manager resets them.
    failed = { error: errorMessage(err), broken: true };
  }
  // The leader leaves its ring state whatever happened, so the manager's Free and its own agree.
  node.dropRing();
  const final = await sendCompletion(node, { type: 'teardown-complete', name }, failed, mark);
  return final === undefined ? success('teardown-dht') : failure('teardown-dht', final);
}
