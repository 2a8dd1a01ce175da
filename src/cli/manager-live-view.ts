// The manager's live summary on a terminal (kept as the footer under its trace, see
// CoalescedWriter): the peers and their states, the DHT, and what the manager is waiting for.
// Pure: the state and the time in, the lines out.
import { awaitedDescription, leaderOf, type ManagerState } from '../manager/state.js';

/** How often the summary is redrawn while the manager waits (the elapsed time moves). */
export const LIVE_VIEW_TICK_MS = 1_000;

/** The summary's lines: peers, DHT, waiting. `waitingSinceMs` is when the current Await mode began. */
export function liveSummary(state: ManagerState, waitingSinceMs: number, nowMs: number): string[] {
  const peers = [...state.peers.values()];
  const byState = (s: string) => peers.filter((p) => p.state === s).length;
  const list = peers.map((p) => `${p.name} ${p.state}${state.suspects.has(p.name) ? ' (suspect)' : ''}`).join(' · ');
  const head = `── peers: ${peers.length} (${byState('Leader')} leader, ${byState('InDHT')} in the DHT, ${byState('Free')} free)`;
  const dht = state.dht;
  const dhtLine =
    dht === null
      ? '── DHT: none'
      : `── DHT: ${dht.year}, ${dht.members.length} nodes, leader ${leaderOf(dht)}, ${dht.complete ? 'complete' : 'being built'}: ${dht.members.join(' → ')}`;
  const awaited = awaitedDescription(state.mode);
  const repairing = state.mode.kind === 'AwaitDhtRepaired' ? `, repairing after ${state.mode.dead.join(', ')} died` : '';
  const waiting = awaited === null ? '── waiting for: nothing' : `── waiting for: ${awaited}${repairing} (${Math.max(0, Math.floor((nowMs - waitingSinceMs) / 1000))} s)`;
  return [peers.length === 0 ? head : `${head}: ${list}`, dhtLine, waiting];
}
