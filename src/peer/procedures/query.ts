// query-dht run by a Free peer (SPEC §6.3, D1): ask the manager for a member, fix the event id,
// send find-event to that member, and wait for the deciding node's find-result.
import { recordToObject } from '../../data/fields.js';
import { parseEventId } from '../../data/fields.js';
import { failure, success, type CommandResult } from '../events.js';
import type { PeerNode } from '../node.js';

/** Asks the user for one line (D1's prompt); null at end of input. */
export type AskLine = (prompt: string) => Promise<string | null>;

export async function queryDht(node: PeerNode, givenId: number | undefined, ask: AskLine): Promise<CommandResult> {
  const reply = await node.managerRequest({ type: 'query-dht', name: node.name! });
  if (!reply.ok) return failure('query-dht', reply.error ?? 'refused');
  if (!reply.node || !reply.year) return failure('query-dht', 'the manager did not name a node and a year');
  const start = reply.node;

  let eventId = givenId;
  if (eventId === undefined) {
    const loaded = node.loadYear(reply.year);
    if (loaded.ok) {
      eventId = loaded.data.records[Math.floor(node.random() * loaded.data.l)]!.eventId;
    } else {
      const line = await ask(`no readable copy of details-${reply.year}.csv (${loaded.error}); enter an event id:`);
      if (line === null) return failure('query-dht', 'no event id given (end of input)');
      const parsed = parseEventId(line.trim());
      if (parsed === null) return failure('query-dht', `invalid event id "${line.trim()}": use a non-negative integer of at most 15 digits`);
      eventId = parsed;
    }
  }

  const routing = node.routing === 'direct' ? { routing: 'direct' as const } : {};
  const answer = await node.peerRequest(start, { type: 'find-event', eventId, querier: node.self!, path: [], ...routing });
  if (answer.type !== 'find-result') return failure('query-dht', `unexpected answer ${answer.type}`);
  if (answer.error !== undefined) return failure('query-dht', answer.error, { eventId, found: false, path: answer.path });
  if (answer.found && answer.fields) {
    return success('query-dht', { eventId, found: true, path: answer.path, record: recordToObject(answer.fields) });
  }
  return success('query-dht', { eventId, found: false, path: answer.path, message: notFoundMessage(eventId) });
}

/** D4's exact sentence. */
export function notFoundMessage(eventId: number): string {
  return `Storm event ${eventId} not found in the DHT.`;
}
