// teardown-dht run by the leader (SPEC §6.7): a final teardown round, then teardown-complete.
import { errorMessage } from '../errors.js';
import { failure, success, type CommandResult } from '../events.js';
import type { PeerNode } from '../node.js';
import { ringTeardown } from './ring-teardown.js';

export async function teardownDht(node: PeerNode): Promise<CommandResult> {
  const name = node.name!;
  const reply = await node.managerRequest({ type: 'teardown-dht', name });
  if (!reply.ok) return failure('teardown-dht', reply.error ?? 'refused');
  let error: string | undefined;
  try {
    await ringTeardown(node, true);
  } catch (err) {
    error = errorMessage(err);
  }
  // The leader leaves its ring state whatever happened, so the manager's Free and its own agree.
  node.ring = null;
  node.table.clear();
  const done = await node.managerRequest({ type: 'teardown-complete', name });
  if (error !== undefined) return failure('teardown-dht', error);
  if (!done.ok) return failure('teardown-dht', `teardown-complete: ${done.error ?? 'refused'}`);
  return success('teardown-dht');
}
