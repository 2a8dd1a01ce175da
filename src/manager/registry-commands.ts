// The registry (SPEC §4 rows 1 and 8): register adds a Free peer after the checks of §2 and D11;
// deregister removes a Free one (D12). A peer in the DHT must leave it, or the DHT must be torn
// down, before it may go: the ring would otherwise keep a member the manager no longer knows.
import type { NameOnlyRequest, RegisterRequest } from '../wire/messages.js';
import { fail, notRegistered, onlyFree, succeed, type Outcome } from './outcome.js';
import type { ManagerState, PeerEntry } from './state.js';
import { checkIpv4, checkPeerName, checkPort, quote } from './validate.js';
import type { KeySource } from './keys.js';

/** Row 1: the first failed check, in the order §4 lists them, or a new Free entry. */
export function register(state: ManagerState, req: RegisterRequest, keys: KeySource): Outcome {
  // The same peer registering again from the same address (its first register timed out at its
  // end, after the manager had acted on it) is the registration it already has: SUCCESS, no change.
  const known = state.peers.get(req.name);
  if (known && known.state === 'Free' && known.ip === req.ip && known.mPort === req.mPort && known.pPort === req.pPort) {
    return succeed(state, { key: known.key });
  }
  const error =
    checkPeerName(req.name) ??
    (state.peers.has(req.name) ? `peer ${quote(req.name)} is already registered` : null) ??
    checkIpv4(req.ip) ??
    checkPort(req.mPort, 'm-port') ??
    checkPort(req.pPort, 'p-port') ??
    (req.mPort === req.pPort ? `m-port and p-port must differ (both are ${req.mPort})` : null) ??
    addressInUse(state, req.ip, req.mPort) ??
    addressInUse(state, req.ip, req.pPort);
  if (error !== null) return fail(state, error);
  // The peer's own key P: the manager seals each DHT's key for it under P (keys.ts).
  const entry: PeerEntry = { name: req.name, ip: req.ip, mPort: req.mPort, pPort: req.pPort, state: 'Free', key: keys() };
  const peers = new Map(state.peers);
  peers.set(entry.name, entry);
  return succeed({ ...state, peers }, { key: entry.key });
}

/**
 * D11: an (IPv4, port) pair may serve one socket only, whether another peer uses it as its m-port
 * or its p-port; otherwise replies or peer messages would reach the wrong process. Comparing the
 * address as text is exact because checkIpv4 admits one spelling per address (no leading zeros).
 */
function addressInUse(state: ManagerState, ip: string, port: number): string | null {
  for (const peer of state.peers.values()) {
    if (peer.ip === ip && (peer.mPort === port || peer.pPort === port)) {
      return `address ${ip}:${port} is already used by ${peer.name}`;
    }
  }
  return null;
}

/** Row 8: only a Free peer may go (D12). */
export function deregister(state: ManagerState, req: NameOnlyRequest): Outcome {
  const peer = state.peers.get(req.name);
  if (peer === undefined) return fail(state, notRegistered(req.name));
  if (peer.state !== 'Free') return fail(state, onlyFree(peer, 'deregister'));
  const peers = new Map(state.peers);
  peers.delete(req.name);
  return succeed({ ...state, peers });
}
