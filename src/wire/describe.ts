// One-line descriptions of messages for the traces (SPEC §1.5: the message type and its key fields).
import { storeCount, type ManagerRequest, type Message, type Reply, type Tuple } from './messages.js';

/** A manager command as the user would type it: `setup-dht alice 5 1996`. */
export function commandLine(req: ManagerRequest): string {
  const line = commandWords(req);
  const failed = 'failed' in req ? req.failed : undefined;
  return failed === undefined ? line : `${line} (failed: ${failed})`;
}

function commandWords(req: ManagerRequest): string {
  switch (req.type) {
    case 'register':
      return `register ${req.name} ${req.ip} ${req.mPort} ${req.pPort}`;
    case 'setup-dht':
      return `setup-dht ${req.name} ${req.n} ${req.year}`;
    case 'dht-rebuilt':
      return `dht-rebuilt ${req.name} ${req.newLeader}`;
    case 'dht-grants':
      return `dht-grants ${req.name} ${req.from} ${req.count}`;
    case 'dht-repaired':
      if (req.lost !== undefined) return `dht-repaired ${req.name} (no records: ${req.lost})`;
      return req.lostRecords === undefined ? `dht-repaired ${req.name}` : `dht-repaired ${req.name} (${req.lostRecords} records lost every copy)`;
    default:
      return `${req.type} ${req.name}`;
  }
}

/** SUCCESS or FAILURE (reason), then the payload's key fields. */
export function replySummary(reply: Reply): string {
  if (!reply.ok) return `FAILURE (${reply.error ?? 'no reason given'})`;
  const extra: string[] = [];
  if (reply.ring) extra.push(`ring: ${names(reply.ring)}`);
  if (reply.node) extra.push(`node: ${reply.node.name}`);
  if (reply.year) extra.push(`year: ${reply.year}`);
  if (reply.leader) extra.push(`leader: ${reply.leader.name}`);
  return extra.length > 0 ? `SUCCESS (${extra.join(', ')})` : 'SUCCESS';
}

/** The message type and its key fields, e.g. `set-id id=1 n=5 s=97127 year=1996`. */
export function describe(msg: Message): string {
  switch (msg.type) {
    case 'register':
    case 'setup-dht':
    case 'dht-grants':
    case 'dht-complete':
    case 'query-dht':
    case 'leave-dht':
    case 'join-dht':
    case 'dht-rebuilt':
    case 'deregister':
    case 'teardown-dht':
    case 'teardown-complete':
    case 'dht-repaired':
    case 'members':
      return commandLine(msg);
    case 'heartbeat':
      return `heartbeat ${msg.name}`;
    case 'heartbeat-ack':
      return msg.ok ? 'heartbeat-ack' : `heartbeat-ack FAILURE (${msg.error ?? 'no reason given'})`;
    case 'repair-dht':
      return `repair-dht ring=[${names(msg.ring)}] (${msg.reason})`;
    case 'reply':
      return `reply ${replySummary(msg)}`;
    case 'set-id':
      return `set-id id=${msg.id} n=${msg.n} s=${msg.s} year=${msg.year}${msg.replicas === undefined ? '' : ` replicas=${msg.replicas}`} ring=[${names(msg.ring)}]`;
    case 'store':
      return `store owner=${msg.owner} records=${storeCount(msg)}`;
    case 'store-ack':
      return 'store-ack';
    case 'count':
      return `count counts=[${msg.counts.join(', ')}]${msg.copies === undefined ? '' : ` copies=[${msg.copies.join(', ')}]`}`;
    case 'find-event': {
      const copy = msg.copy === true ? ' copy' : msg.held !== undefined ? ' held' : '';
      return `find-event eventId=${msg.eventId} querier=${msg.querier.name} path=[${msg.path.join(', ')}]${copy}`;
    }
    case 'find-result':
      return `find-result eventId=${msg.eventId} found=${msg.found} path=[${msg.path.join(', ')}]${msg.copy === true ? ' (from a copy)' : ''}${msg.error ? ` error=${msg.error}` : ''}`;
    case 'fetch':
      return `fetch page=${msg.page}`;
    case 'fetch-result':
      return `fetch-result page=${msg.page} records=${msg.count ?? msg.records.length}${msg.end ? ' end' : ''}`;
    case 'teardown':
      return `teardown origin=${msg.origin.name} final=${msg.final}`;
    case 'reset-id':
      return `reset-id id=${msg.id} n=${msg.n} ring=[${names(msg.ring)}]`;
    case 'rebuild-dht':
      return `rebuild-dht year=${msg.year} s=${msg.s}`;
    case 'rebuild-done':
      return `rebuild-done ${outcome(msg)}`;
    case 'join-request':
      return `join-request joiner=${msg.joiner.name}`;
    case 'join-done':
      return `join-done ${outcome(msg)} ring=[${names(msg.ring)}]`;
    case 'dht-reset':
      return `dht-reset (${msg.reason})`;
  }
}

function outcome(m: { ok: boolean; error?: string; records: number; recordsPerNode: readonly number[]; replicasPerNode?: readonly number[] }): string {
  if (!m.ok) return `FAILURE (${m.error ?? 'no reason given'})`;
  const copies = m.replicasPerNode === undefined ? '' : ` replicas=[${m.replicasPerNode.join(', ')}]`;
  return `ok records=${m.records} perNode=[${m.recordsPerNode.join(', ')}]${copies}`;
}

function names(ring: readonly Tuple[]): string {
  return ring.map((t) => t.name).join(', ');
}
