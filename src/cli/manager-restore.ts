// The one line a manager started with --state-dir prints about what it found there (issue 13).
import type { Restored } from '../manager/durability.js';
import { awaitedDescription } from '../manager/state.js';

export function describeRestored(dir: string, restored: Restored): string {
  const { state, records } = restored;
  if (state.peers.size === 0 && state.dhts === 0 && records === 0) return `state directory ${dir}: nothing saved yet, starting empty`;
  const peers = `${state.peers.size} peer${state.peers.size === 1 ? '' : 's'}`;
  const dht = state.dht === null ? 'no DHT' : `the DHT of ${state.dht.year} with ${state.dht.members.length} members (leader ${state.dht.members[0]})`;
  const awaited = awaitedDescription(state.mode);
  const mode = awaited === null ? 'Idle' : `awaiting ${awaited}`;
  return `restored from ${dir}: ${peers}, ${dht}, ${mode} (${records} journal record${records === 1 ? '' : 's'} replayed)`;
}
