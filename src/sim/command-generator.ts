// The seeded source of user commands. Most commands are purposeful — the right peer for the state
// the manager is in (a Free peer sets up, a member leaves, the leader tears down) — so that runs
// go through whole DHT life cycles; the rest are any command from any peer, valid or not. A
// command that no state can accept (bad syntax, a wrong name, an impossible n) is marked so, and
// the runner checks that it was refused.
import { pickUniform, type Rng } from '../data/seeded-random.js';
import type { ManagerState } from '../manager/state.js';
import { PEER_NAMES, type SimPeer } from './cluster.js';
import { MISSING_YEAR, rowOf, type SimData } from './sim-data.js';

export interface PlannedCommand {
  readonly peer: SimPeer;
  readonly tokens: readonly string[];
  /** fail: refused in every state; ok: accepted in every state; any: up to the state and the network. */
  readonly expect: 'fail' | 'ok' | 'any';
  /**
   * With R ≥ 2 copies (issue 12): a query the runner starts while a ring member is down or the
   * ring is being repaired, for a record of the DHT. Every copy of it is on a live node but one
   * at most: it must be answered with the record, unless the network or a stop defeats it.
   */
  readonly probe?: boolean;
}

type Expect = PlannedCommand['expect'];
type Maker = (peer: SimPeer) => { tokens: string[]; expect: Expect };

/** Share of commands chosen for the state rather than at random. */
const PURPOSEFUL_SHARE = 0.7;

export class CommandGenerator {
  constructor(
    private readonly rng: Rng,
    private readonly peers: readonly SimPeer[],
    private readonly data: SimData,
    /** A peer no command is drawn for (R ≥ 2: the runner's prober). */
    private readonly reserved: SimPeer | null = null,
    /**
     * Rings drawn larger, and left less below 5 (R ≥ 2): a ring of 3 that loses a member is torn
     * down, one of 4 or more is repaired, and repairs are what copies are for.
     */
    private readonly largeRings = false,
  ) {}

  /** The next command, from a live peer that is not running one (not `exclude`); null if none is. */
  next(state: ManagerState, exclude?: SimPeer): PlannedCommand | null {
    const idle = this.peers.filter((p) => !p.dead && !p.busy && !p.process.paused && p !== exclude && p !== this.reserved);
    if (idle.length === 0) return null;
    if (this.rng() < PURPOSEFUL_SHARE) {
      const planned = this.purposeful(state, idle);
      if (planned !== null) return planned;
    }
    const peer = pickUniform(this.rng, idle);
    return { peer, ...pickUniform(this.rng, this.anyCommand)(peer) };
  }

  /** The line a peer without the year's file types when D1 prompts it for an event id. */
  answerPrompt(year: string): string | null {
    const x = this.rng();
    if (x < 0.5) return String(this.presentId(year));
    if (x < 0.7) return String(this.absentId());
    return x < 0.85 ? 'not-a-number' : null;
  }

  /** A command that fits the state: weighted choices among what the state allows. */
  private purposeful(state: ManagerState, idle: readonly SimPeer[]): PlannedCommand | null {
    const choices: Array<[weight: number, make: () => PlannedCommand]> = [];
    const add = (weight: number, peers: readonly SimPeer[], make: Maker) => {
      if (peers.length > 0) choices.push([weight, () => { const peer = pickUniform(this.rng, peers); return { peer, ...make(peer) }; }]);
    };
    const stateOf = (p: SimPeer) => (p.node.name === null ? undefined : state.peers.get(p.node.name)?.state);
    const unregistered = idle.filter((p) => p.node.name === null);
    const free = idle.filter((p) => stateOf(p) === 'Free');
    const registered = this.peers.filter((p) => !p.dead && p.node.name !== null).length;
    add(registered < 4 ? 4 : 1, unregistered, (p) => this.register(p, p.label));
    add(0.3, free, (p) => own(p, 'deregister'));
    const dht = state.dht;
    if (dht === null) {
      const freeCount = [...state.peers.values()].filter((e) => e.state === 'Free').length;
      const size = () => (this.largeRings ? Math.max(this.rng(), this.rng()) : this.rng());
      add(4, free, (p) => own(p, 'setup-dht', [String(3 + Math.floor(size() * Math.max(1, freeCount - 2))), this.year()]));
    } else {
      const members = idle.filter((p) => p.node.name !== null && dht.members.includes(p.node.name));
      const leader = members.filter((p) => p.node.name === dht.members[0]);
      add(4, free, (p) => own(p, 'query-dht', [String(this.presentId(dht.year))]));
      add(1, free, (p) => own(p, 'query-dht', [String(this.absentId())]));
      add(1, free, (p) => own(p, 'query-dht'));
      add(1.5, free, (p) => own(p, 'join-dht'));
      add(dht.members.length > (this.largeRings ? 4 : 3) ? 1.5 : 0.2, members, (p) => own(p, 'leave-dht'));
      add(0.7, leader, (p) => own(p, 'teardown-dht'));
      add(0.3, leader, (p) => own(p, 'dht-complete'));
    }
    if (choices.length === 0) return null;
    const total = choices.reduce((sum, [w]) => sum + w, 0);
    let x = this.rng() * total;
    for (const [w, make] of choices) {
      if ((x -= w) < 0) return make();
    }
    return choices[choices.length - 1]![1]();
  }

  /** Every kind of command, valid or not, for any peer. */
  private readonly anyCommand: readonly Maker[] = [
    (p) => this.register(p, p.label),
    (p) => this.register(p, pickUniform(this.rng, PEER_NAMES)),
    // Another peer's ports on the same host: refused by bind, or by the manager (D11), or taking them.
    (p) => ({ tokens: ['register', p.label, p.ip, ...this.someonesPorts(p)], expect: 'any' }),
    (p) => ({ tokens: ['register', pickUniform(this.rng, ['bob1', 'a_b', 'abcdefghijklmnop', 'Zoë'])], expect: 'fail' }),
    (p) => ({ tokens: ['register', p.label, pickUniform(this.rng, ['10.0.0.256', '10.0.0', '010.0.0.2']), String(p.mPort), String(p.pPort)], expect: 'fail' }),
    (p) => ({ tokens: ['register', p.label, p.ip, pickUniform(this.rng, ['80', '70000', 'x']), String(p.pPort)], expect: 'fail' }),
    (p) => ({ tokens: ['register', p.label, p.ip, String(p.mPort), String(p.mPort)], expect: 'fail' }),
    (p) => ({ tokens: ['register', p.label, p.ip], expect: 'fail' }),
    (p) => own(p, 'setup-dht', [String(3 + Math.floor(this.rng() * this.peers.length)), this.year()]),
    (p) => own(p, 'setup-dht', [pickUniform(this.rng, ['0', '1', '2', 'x', '3.5']), this.year()], 'fail'),
    // More members than peers exist: too few Free peers in every state (D9).
    (p) => own(p, 'setup-dht', [String(this.peers.length + 1 + Math.floor(this.rng() * 3)), this.year()], 'fail'),
    (p) => own(p, 'setup-dht', ['3', pickUniform(this.rng, [MISSING_YEAR, '19x0', '195'])], 'fail'),
    (p) => own(p, 'query-dht', [String(this.presentId(this.year()))]),
    (p) => own(p, 'query-dht', [String(this.absentId())]),
    (p) => own(p, 'query-dht'),
    (p) => own(p, 'query-dht', [pickUniform(this.rng, ['12a', '-5', '1234567890123456', '0x10'])], 'fail'),
    (p) => own(p, 'leave-dht'),
    (p) => own(p, 'join-dht'),
    (p) => own(p, 'teardown-dht'),
    (p) => own(p, 'dht-complete'),
    (p) => own(p, 'deregister'),
    () => ({ tokens: ['status'], expect: 'ok' }),
    (p) => ({ tokens: [this.nameCommand(), this.otherName(p)], expect: 'fail' }),
    (p) => ({ tokens: [pickUniform(this.rng, ['dht-rebuilt', 'teardown-complete', 'hello', 'Register']), p.node.name ?? p.label, 'x'], expect: 'fail' }),
    (p) => ({ tokens: ['setup-dht', p.node.name ?? p.label, '3'], expect: 'fail' }),
  ];

  private register(p: SimPeer, name: string): { tokens: string[]; expect: Expect } {
    return { tokens: ['register', name, p.ip, String(p.mPort), String(p.pPort)], expect: 'any' };
  }

  /** The m-port and p-port of a random peer on p's host (maybe p's own). */
  private someonesPorts(p: SimPeer): string[] {
    const sameHost = this.peers.filter((q) => q.ip === p.ip);
    const q = pickUniform(this.rng, sameHost);
    return this.rng() < 0.5 ? [String(q.mPort), String(q.pPort)] : [String(q.pPort), String(q.mPort + 100)];
  }

  private nameCommand(): string {
    return pickUniform(this.rng, ['setup-dht', 'query-dht', 'leave-dht', 'join-dht', 'teardown-dht', 'dht-complete', 'deregister']);
  }

  /** A name that is not p's registered one (an unregistered p fails whatever name it gives). */
  private otherName(p: SimPeer): string {
    return pickUniform(this.rng, PEER_NAMES.filter((n) => n !== p.node.name));
  }

  private year(): string {
    return pickUniform(this.rng, [...this.data.years.keys()]);
  }

  private presentId(year: string): number {
    const records = this.data.years.get(year)?.data.records ?? [];
    return records.length > 0 ? pickUniform(this.rng, records).eventId : this.absentId();
  }

  /** An id in no simulated year: small, in the years' range, or of the full 15 digits. */
  private absentId(): number {
    for (;;) {
      const x = this.rng();
      const id = x < 0.3 ? Math.floor(this.rng() * 1000) : x < 0.8 ? 1_000_000 + Math.floor(this.rng() * 4_000_000) : 999_999_999_999_999;
      if (rowOf(this.data, id) === undefined) return id;
    }
  }
}

/** A command about the peer itself: `<command> <its name> <args…>`. */
function own(p: SimPeer, command: string, args: readonly string[] = [], expect: Expect = 'any'): { tokens: string[]; expect: Expect } {
  return { tokens: [command, p.node.name ?? p.label, ...args], expect };
}
