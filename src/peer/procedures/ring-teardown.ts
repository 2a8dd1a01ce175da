// The generic ring teardown (SPEC §6.4), run by its originator: the message goes round the ring
// and its return completes the request; then the originator clears its own table.
import type { PeerNode } from '../node.js';
import { rightNeighbour } from '../ring-state.js';
import { retireBuild } from '../held-build.js';

export async function ringTeardown(node: PeerNode, final: boolean): Promise<void> {
  const r = node.ring;
  if (r === null) throw new Error('not in a ring');
  const epoch = r.epoch === null ? {} : { epoch: r.epoch };
  await node.peerRequest(rightNeighbour(r), { type: 'teardown', origin: node.self!, final, ...epoch }, { who: 'the ring' });
  // Without final, with R ≥ 2, its records are held for the rebuild (held-build.ts).
  if (final) node.dropRing();
  else retireBuild(node);
  if (final) node.keys.left = r.key;
  // Until the renumbering gives a new epoch, no store is accepted (see RingState.epoch).
  node.ring = final ? null : { ...r, epoch: null };
}
