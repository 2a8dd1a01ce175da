// query-dht run by a Free peer (SPEC §6.3, D1): ask the manager for a member, fix the event id,
// send find-event to that member, and wait for the deciding node's find-result.
import { recordToObject } from '../../data/fields.js';
import { parseEventId } from '../../data/fields.js';
import { failure, success, type CommandResult } from '../events.js';
import type { PeerNode } from '../node.js';
import { TransportError } from '../../transport/errors.js';
import { QUERY_ATTEMPT_MS, QUERY_MIN_RETRY_MS, QUERY_RETRY_PER_PENDING_MS, REQUEST_BUDGET_MS } from '../../transport/timing.js';
import type { Message, Tuple } from '../../wire/messages.js';

/**
 * How long a query's requests wait at least before a copy goes again (issue 14): 10 ms for each
 * query this node has in flight, up to QUERY_MIN_RETRY_MS, counted when the copy would go (the
 * first queries of a pipelined burst are sent while few are in flight, and answered while many
 * are). Pipelined queries queue behind each other in every process of the ring, so their answers
 * come later the more there are; a query typed alone keeps the measured timeout (40 ms at least),
 * which a lossy path needs.
 */
function queryRetry(node: PeerNode): { minTimeoutMs: () => number } {
  return { minTimeoutMs: () => Math.min(QUERY_MIN_RETRY_MS, QUERY_RETRY_PER_PENDING_MS * node.queriesInFlight) };
}

/** Asks the user for one line (D1's prompt); null at end of input. */
export type AskLine = (prompt: string) => Promise<string | null>;

export async function queryDht(node: PeerNode, givenId: number | undefined, ask: AskLine): Promise<CommandResult> {
  node.queriesInFlight++;
  try {
    return await runQuery(node, givenId, ask);
  } finally {
    node.queriesInFlight--;
  }
}

async function runQuery(node: PeerNode, givenId: number | undefined, ask: AskLine): Promise<CommandResult> {
  const reply = await node.managerRequest({ type: 'query-dht', name: node.name! }, queryRetry(node));
  if (!reply.ok) return failure('query-dht', reply.error ?? 'refused');
  if (!reply.node || !reply.year) return failure('query-dht', 'the manager did not name a node and a year');
  let start = reply.node;

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
  // Each attempt goes through one first node; the transport's retransmissions in between take
  // other paths from there (find-event.ts). A first node that stays silent for QUERY_ATTEMPT_MS
  // is avoided: the manager names another to start at (issue 11).
  const deadline = node.clock.now() + REQUEST_BUDGET_MS;
  const silent: Tuple[] = [];
  let answer: Message;
  for (;;) {
    const budgetMs = Math.max(1, Math.min(QUERY_ATTEMPT_MS, deadline - node.clock.now()));
    try {
      answer = await node.peerRequest(start, { type: 'find-event', eventId, querier: node.self!, path: [], ...routing }, { budgetMs, ...queryRetry(node) });
      break;
    } catch (err) {
      if (!(err instanceof TransportError && err.code === 'ETIMEDOUT')) throw err;
      if (!silent.some((t) => t.name === start.name)) silent.push(start);
      if (node.clock.now() >= deadline) return failure('query-dht', silentRing(node, silent), { eventId });
      const again = await node.managerRequest({ type: 'query-dht', name: node.name!, avoid: silent.map((t) => t.name) }, queryRetry(node));
      if (!again.ok || !again.node) return failure('query-dht', `${silentRing(node, silent)}; query-dht: ${again.error ?? 'no node named'}`, { eventId });
      start = again.node;
    }
  }
  if (answer.type !== 'find-result') return failure('query-dht', `unexpected answer ${answer.type}`);
  if (answer.error !== undefined) return failure('query-dht', answer.error, { eventId, found: false, path: answer.path });
  // Answered: reported on the heartbeats, for the manager's event log (issue 16).
  node.queryReports.add({ eventId, found: answer.found && answer.fields !== undefined, path: answer.path, ...(answer.by === undefined ? {} : { by: answer.by }) }, node.clock.now());
  if (answer.found && answer.fields) {
    return success('query-dht', { eventId, found: true, path: answer.path, record: recordToObject(answer.fields) });
  }
  return success('query-dht', { eventId, found: false, path: answer.path, message: notFoundMessage(eventId) });
}

/** D4's exact sentence. */
export function notFoundMessage(eventId: number): string {
  return `Storm event ${eventId} not found in the DHT.`;
}

/** The error of a query no find-result answered: the first nodes that stayed silent, and the suspects. */
function silentRing(node: PeerNode, silent: readonly Tuple[]): string {
  const suspects = [...node.liveness.suspects, ...node.liveness.dead];
  const also = suspects.length > 0 ? ` (the manager suspects ${suspects.join(', ')})` : '';
  return `no response from ${silent.map((t) => t.name).join(', ')} to find-event${also}`;
}
