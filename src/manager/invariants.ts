// The invariants every reachable manager state keeps. handleCommand preserves them; tests check
// them after every step of random command sequences, and the adapter may check them after a
// recovery (SPEC §1.4 item 7) to be sure it brought the state back to a consistent one.
import { assertNever, leaderOf, type ManagerState } from './state.js';
import { checkYear, MIN_RING_SIZE } from './validate.js';

/** Every invariant the state breaks, in words; empty when the state is consistent. */
export function invariantViolations(state: ManagerState): string[] {
  const broken: string[] = [];
  for (const [key, peer] of state.peers) {
    if (key !== peer.name) broken.push(`registry key ${key} holds peer ${peer.name}`);
  }
  broken.push(...ringViolations(state), ...modeViolations(state));
  return broken;
}

/** States follow the member list: members[0] is the only Leader, other members InDHT, rest Free. */
function ringViolations({ peers, dht }: ManagerState): string[] {
  const broken: string[] = [];
  const members = dht?.members ?? [];
  if (dht !== null) {
    if (members.length < MIN_RING_SIZE) broken.push(`the DHT has ${members.length} members, fewer than ${MIN_RING_SIZE}`);
    if (new Set(members).size !== members.length) broken.push(`the members repeat a name: ${members.join(', ')}`);
    if (checkYear(dht.year) !== null) broken.push(`the DHT's year ${dht.year} is invalid`);
    for (const name of members) if (!peers.has(name)) broken.push(`member ${name} is not registered`);
  }
  for (const peer of peers.values()) {
    const id = members.indexOf(peer.name);
    const expected = id < 0 ? 'Free' : id === 0 ? 'Leader' : 'InDHT';
    if (peer.state !== expected) broken.push(`${peer.name} is ${peer.state}, expected ${expected}`);
  }
  return broken;
}

/** The mode agrees with the DHT: what it waits for exists, and only setup leaves a DHT incomplete. */
function modeViolations({ peers, dht, mode }: ManagerState): string[] {
  const incomplete = dht !== null && !dht.complete;
  switch (mode.kind) {
    case 'Idle':
      return incomplete ? ['Idle with an incomplete DHT'] : [];
    case 'AwaitDhtComplete':
      if (dht === null || !incomplete) return ['AwaitDhtComplete without an incomplete DHT'];
      return leaderOf(dht) === mode.leader ? [] : [`AwaitDhtComplete awaits ${mode.leader}, not the leader`];
    case 'AwaitDhtRebuilt': {
      if (dht === null || incomplete) return ['AwaitDhtRebuilt without a complete DHT'];
      const member = dht.members.includes(mode.peer);
      if (mode.action === 'leave') {
        if (!member) return [`the leaving peer ${mode.peer} is not a member`];
        return dht.members.length > MIN_RING_SIZE ? [] : ['a leave would shrink the DHT below 3'];
      }
      return peers.get(mode.peer)?.state === 'Free' ? [] : [`the joining peer ${mode.peer} is not a registered Free peer`];
    }
    case 'AwaitTeardownComplete':
      if (dht === null || incomplete) return ['AwaitTeardownComplete without a complete DHT'];
      return leaderOf(dht) === mode.leader ? [] : [`AwaitTeardownComplete awaits ${mode.leader}, not the leader`];
    case 'AwaitDhtRepaired':
      if (dht === null || incomplete) return ['AwaitDhtRepaired without a complete DHT'];
      if (mode.dead.some((name) => dht.members.includes(name))) return [`a dead peer (${mode.dead.join(', ')}) is still a member`];
      return leaderOf(dht) === mode.leader ? [] : [`AwaitDhtRepaired awaits ${mode.leader}, not the leader`];
    default:
      return assertNever(mode);
  }
}
