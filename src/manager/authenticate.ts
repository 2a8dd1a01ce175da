// Sender authentication (issue 5): a command that names peer X acts only when it comes from X's
// registered address (IPv4 and m-port), and `register` only from the address and m-port it names.
// Anyone on the network can send the manager a datagram; without this check, `teardown-dht alice`
// from any socket would tear alice's DHT down. The check runs before the busy rule, so that a
// forger learns nothing from the manager (not even a repeated setup-dht's ring and keys).
import type { ManagerRequest } from '../wire/messages.js';
import type { ManagerState } from './state.js';
import { who } from './outcome.js';

/** A datagram's source address. */
export interface Sender {
  readonly ip: string;
  readonly port: number;
}

/** Why `req` may not act for the peer it names, or null when `sender` is entitled to send it. */
export function senderError(state: ManagerState, req: ManagerRequest, sender: Sender): string | null {
  if (req.type === 'register') {
    if (sender.ip === req.ip && sender.port === req.mPort) return null;
    return `register must be sent from the IPv4 address and m-port it names (it came from ${sender.ip}:${sender.port})`;
  }
  const entry = state.peers.get(req.name);
  // An unregistered name has no address to hold the sender to: the command's own checks refuse it.
  if (entry === undefined) return null;
  if (entry.ip === sender.ip && entry.mPort === sender.port) return null;
  return `${who(req.name)} is registered at another address: a command for ${who(req.name)} must come from its m-port`;
}
