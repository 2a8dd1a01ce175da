// Routes each incoming peer-to-peer request to its handler, one file per message (as in
// js-libp2p's rpc/handlers). Requests that belong to the manager are refused here.
import type { Address } from '../../transport/udp-socket.js';
import type { PeerRequest, Request } from '../../wire/messages.js';
import type { PeerNode } from '../node.js';
import { onCount } from './count.js';
import { onFindEvent } from './find-event.js';
import { onFetch } from './fetch.js';
import { onJoinRequest } from './join-request.js';
import { onRebuildDht } from './rebuild-dht.js';
import { onOutcome } from './outcome.js';
import { onResetId } from './reset-id.js';
import { onSetId } from './set-id.js';
import { onStore } from './store.js';
import { onTeardown } from './teardown.js';

export function dispatchPeerRequest(node: PeerNode, msg: PeerRequest | Request, from: Address, raw: Buffer): void {
  switch (msg.type) {
    case 'set-id':
      return onSetId(node, msg, from, raw);
    case 'store':
      return onStore(node, msg, raw);
    case 'count':
      return onCount(node, msg);
    case 'find-event':
      return onFindEvent(node, msg);
    case 'teardown':
      return onTeardown(node, msg, raw);
    case 'reset-id':
      return onResetId(node, msg);
    case 'fetch':
      return onFetch(node, msg, from);
    case 'rebuild-dht':
      return onRebuildDht(node, msg, from);
    case 'join-request':
      return onJoinRequest(node, msg, from);
    case 'rebuild-done':
    case 'join-done':
      return onOutcome(node, msg, from);
    default:
      // A manager command sent to a peer: answer it, so the sender is not left retrying.
      node.reply(from, msg.rid, { ok: false, error: `${msg.type} is a manager command; this is a peer` });
  }
}
