// The live view's event log (issue 16): one line for each thing worth watching that the manager
// saw — a register, a setup, each query, a leave, a join, a teardown, a deregister, a death, a
// repair — kept to the last EVENT_LOG_SIZE. Pure: the manager's observations and the time in.
// A query's event id is not in it: the manager hands out the first node and never sees the id.
import { querySentence } from './cluster-render.js';
import { seconds, type ManagerObservation } from '../manager/server.js';
import type { ManagerState } from '../manager/state.js';
import type { ManagerRequest } from '../wire/messages.js';
import type { ViewEvent, ViewEventKind } from './view-types.js';

/** How many entries the log keeps (the oldest go first). */
export const EVENT_LOG_SIZE = 200;

/** The log's kind of each command worth a line; the others (members, dht-grants) make none. */
const COMMAND_KINDS: Partial<Record<ManagerRequest['type'], ViewEventKind>> = {
  register: 'register',
  'setup-dht': 'setup',
  'dht-complete': 'setup',
  'query-dht': 'query',
  'leave-dht': 'leave',
  'join-dht': 'join',
  'teardown-dht': 'teardown',
  'teardown-complete': 'teardown',
  deregister: 'deregister',
  'dht-repaired': 'repair',
};

type Entry = Omit<ViewEvent, 'at'>;

export class EventLog {
  private readonly entries: ViewEvent[] = [];

  constructor(private readonly capacity = EVENT_LOG_SIZE) {}

  /** Adds the lines an observation makes, at `atMs` (ms since the epoch). */
  observe(observation: ManagerObservation, atMs: number): void {
    for (const entry of describeObservation(observation)) this.add({ at: atMs, ...entry });
  }

  add(event: ViewEvent): void {
    this.entries.push(event);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  /** Oldest first. */
  list(): readonly ViewEvent[] {
    return [...this.entries];
  }
}

/** The log's lines for one observation (none for a command it does not show). */
export function describeObservation(o: ManagerObservation): Entry[] {
  switch (o.kind) {
    case 'command': {
      const { request: req, reply, state } = o;
      // The leaver or the joiner reports the rebuild: a joiner is in the ring after it.
      const kind = req.type === 'dht-rebuilt' ? (state.dht?.members.includes(req.name) ? 'join' : 'leave') : COMMAND_KINDS[req.type];
      if (kind === undefined) return [];
      const failed = 'failed' in req ? req.failed : undefined;
      const text = !reply.ok
        ? `${req.type} from ${req.name} refused: ${reply.error ?? 'no reason given'}`
        : failed !== undefined
          ? `${req.type} from ${req.name}: failed (${failed})`
          : commandText(req, reply, state);
      return [{ kind, text }];
    }
    case 'suspect':
      return [{ kind: 'death', text: `suspect ${o.name}: no heartbeat for ${seconds(o.silentMs)}` }];
    case 'alive':
      return [{ kind: 'death', text: `${o.name} is alive: heard again after ${seconds(o.silentMs)}` }];
    case 'evicted': {
      const mode = o.state.mode;
      const repair: Entry[] =
        mode.kind === 'AwaitDhtRepaired' && o.state.dht !== null
          ? [{ kind: 'repair', text: `repair: ${mode.leader} rebuilds the ring of ${o.state.dht.members.length} without ${mode.dead.join(', ')}` }]
          : [];
      return [{ kind: 'death', text: `evicted ${o.reason}` }, ...repair];
    }
    case 'abandoned':
      return [{ kind: 'abandon', text: `the DHT is abandoned: ${o.reason}` }];
    case 'query-answered': {
      // From the querier's heartbeat: the manager itself never sees the event id.
      const { eventId, found, path, by } = o.report;
      const query = { at: 0, querier: o.name, eventId, ok: true, found, path, by: by ?? null, error: null, hops: [], ring: [] };
      return [{ kind: 'query', text: querySentence(query) }];
    }
  }
}

/** A command that succeeded, in words, from the request, its reply and the state after it. */
function commandText(req: ManagerRequest, reply: { readonly node?: { readonly name: string } }, state: ManagerState): string {
  const dht = state.dht;
  const ring = dht === null ? '' : `${dht.members.length} nodes, leader ${dht.members[0]}`;
  switch (req.type) {
    case 'register':
      return `${req.name} registered at ${req.ip} (m-port ${req.mPort}, p-port ${req.pPort})`;
    case 'setup-dht':
      return `${req.name} sets up a DHT of ${req.n} for ${req.year}: ${dht?.members.join(', ') ?? ''}`;
    case 'dht-complete':
      return dht === null ? `dht-complete from ${req.name}` : `the DHT of ${dht.year} is complete: ${ring}`;
    case 'query-dht':
      return `query from ${req.name} → first node ${reply.node?.name ?? '?'}`;
    case 'leave-dht':
      return `${req.name} leaves the DHT`;
    case 'join-dht':
      return `${req.name} joins the DHT`;
    case 'dht-rebuilt':
      return dht?.members.includes(req.name) ? `${req.name} joined the DHT: ${ring}` : `the DHT is rebuilt without ${req.name}: ${ring}`;
    case 'teardown-dht':
      return `${req.name} tears the DHT down`;
    case 'teardown-complete':
      return 'the DHT is torn down: its members are Free';
    case 'deregister':
      return `${req.name} deregistered`;
    case 'dht-repaired':
      return dht === null ? `dht-repaired from ${req.name}` : `the DHT is repaired: ${ring}${req.lost === undefined ? '' : ` (${req.lost})`}`;
    default:
      return `${req.type} from ${req.name}`;
  }
}
