// A whole stormdht system in one process: the manager and n peers, running the protocol code
// unchanged, on one MemoryNetwork and one VirtualClock. Every socket sends through a FaultySocket
// (the fault injection the real processes use with --faults) and is watched by the execution
// ledger. Every random choice — the manager's picks, each peer's rids and hot-potato hops, each
// socket's faults — comes from a stream derived from the seed, so a seed replays exactly.
// The manager runs its failure detector and every peer its heartbeats (issue 11), at the shipped
// timing unless a run says otherwise; each peer process can be stopped and continued (SIGSTOP,
// process-pause.ts), and the liveness ledger judges every eviction the manager makes.
// In a run with manager crashes (issue 13) the manager keeps its state on a memory disk, and its
// process can be killed and started again from that disk on the same address (manager-crash.ts).
import { DEFAULT_DETECTOR, type DetectorSettings } from '../membership/failure-detector.js';
import { emptyDisk, openMemoryState } from '../manager/memory-state-store.js';
import { ManagerServer, type ManagerEvent, type ManagerServerOptions } from '../manager/server.js';
import { seededKeys, type KeySource } from '../manager/keys.js';
import { awaitedOf, type ManagerState } from '../manager/state.js';
import { PeerNode } from '../peer/node.js';
import { FaultySocket } from '../transport/faults.js';
import { DEFAULT_BATCH_BYTES, HEARTBEAT_INTERVAL_MS } from '../transport/timing.js';
import { MemoryNetwork } from '../transport/memory-network.js';
import type { Address, DatagramSocket } from '../transport/udp-socket.js';
import { VirtualClock } from '../transport/virtual-clock.js';
import { ExecutionLedger, type LedgerOwner } from './execution-ledger.js';
import { mulberry32, type Rng } from '../data/seeded-random.js';
import { LivenessLedger } from './liveness-ledger.js';
import { managerLifecycle, type ManagerLifecycle } from './manager-process.js';
import { ProcessPause } from './process-pause.js';
import { childStream, type SimSettings } from './run-settings.js';
import type { SimData } from './sim-data.js';

/** Names the peers intend to register under (letters only, SPEC §2). */
export const PEER_NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'] as const;

export const MANAGER_ADDRESS: Address = { ip: '10.0.0.1', port: 7000 };

/** Peers share two hosts, as in the course demos, so that port clashes on one host can happen. */
const PEER_HOSTS = ['10.0.0.2', '10.0.0.3'] as const;

/** Share of the peers that read data from the directory lacking one year. */
const PARTIAL_DATA_SHARE = 0.25;
/** Share of the peers that use each of stormdht's options: direct query routing, direct placement. */
const DIRECT_SHARE = 0.25;
/** Smallest store budget drawn (bytes): a few records per datagram, so batches are many. */
const MIN_BATCH_BYTES = 400;

/** Mixed into a seed for the manager's key stream. */
const KEY_STREAM_SALT = 0x6b657973;

/** One peer process of the simulation. */
export interface SimPeer {
  readonly index: number;
  /** The name it means to register under. It may register under another (a generated command). */
  readonly label: string;
  /** Its own address: the host and the two ports a valid register names. */
  readonly ip: string;
  readonly mPort: number;
  readonly pPort: number;
  readonly dataDir: string;
  readonly node: PeerNode;
  /** SIGSTOP and SIGCONT for its process: its clock and sockets go through this. */
  readonly process: ProcessPause;
  /** Crashed: its sockets are gone and it is never used again. */
  dead: boolean;
  /** The name it was registered under when it crashed: the failure detector must evict it. */
  nameAtDeath: string | null;
  /** Its m-port when it crashed (a register may name another peer's ports), for the same reason. */
  mPortAtDeath: number | null;
  /** Virtual time of its crash; null while alive. */
  crashedAt: number | null;
  /** A command of it is running (a peer runs one command at a time, SPEC §5). */
  busy: boolean;
}

export interface Cluster {
  readonly clock: VirtualClock;
  /** The running manager; while it is down after a crash, the one that crashed (its last state). */
  manager: ManagerServer;
  /** With manager crashes: its disk, and how it is killed and started again; null otherwise. */
  readonly managerProcess: ManagerLifecycle | null;
  readonly peers: readonly SimPeer[];
  readonly ledger: ExecutionLedger;
  /** Crashes, pauses and the manager's evictions: no live peer may be evicted. */
  readonly liveness: LivenessLedger;
  /** The failure detector's timing at the manager, and the peers' heartbeat period. */
  readonly detector: DetectorSettings;
  readonly heartbeatMs: number;
  /**
   * The manager's DHT through the run: a new entry whenever it changed (members, year, serial),
   * with the virtual time. What a query may have met between its start and its end.
   */
  readonly dhtHistory: DhtChange[];
  /** The manager's warnings (give-ups) since the last drain, for the step log. */
  readonly managerNotes: string[];
  /**
   * Requests that ran out of their retry budget since the last drain: the transport's own verdict
   * that an operation failed, after which SPEC §1.4 item 7 promises only that the requester stays
   * usable.
   */
  readonly exhausted: Exhausted[];
  /**
   * The builds the manager completed (it took the dht-complete, dht-rebuilt or dht-repaired of a
   * setup, leave, join or repair), in the order it did, since the last drain: which build the DHT
   * now comes from.
   */
  readonly builds: Build[];
  /** Called when the manager starts a repair (enters AwaitDhtRepaired), at that virtual time. */
  onRepairStarted: (() => void) | null;
}

/** A build the manager completed: the peer whose completion it took, and whether it was a repair. */
export interface Build {
  readonly peer: string;
  readonly repair: boolean;
}

/**
 * The manager's DHT from virtual time `at` on: null, or its year, members and serial, and whether
 * its teardown has begun (the manager awaits its teardown-complete: members may be Free already).
 */
export interface DhtChange {
  readonly at: number;
  readonly dht: { readonly year: string; readonly members: readonly string[]; readonly serial: number; readonly tearingDown: boolean } | null;
}

/** The failure detector's settings of a run; default the shipped ones. */
export interface DetectorTiming {
  readonly heartbeatMs: number;
  readonly detector: DetectorSettings;
}

export const DEFAULT_DETECTOR_TIMING: DetectorTiming = { heartbeatMs: HEARTBEAT_INTERVAL_MS, detector: DEFAULT_DETECTOR };

/** A request that ran out of its retry budget: who sent it, and the process it got no answer from. */
export interface Exhausted {
  readonly by: string;
  readonly target: string;
}

/** How a process reports a request that ran out of its budget (the transport's timeout). */
const NO_RESPONSE = /no response from (\S+)/;

/** Every event of every process, for debugging a seed: who, and the event's text. */
export type TraceSink = (who: string, text: string) => void;

export async function buildCluster(
  settings: SimSettings,
  root: Rng,
  data: SimData,
  trace?: TraceSink,
  secret?: string,
  timing: DetectorTiming = DEFAULT_DETECTOR_TIMING,
): Promise<Cluster> {
  const clock = new VirtualClock();
  // With a system secret every process authenticates every datagram, its replay window on virtual time.
  const authentication = secret === undefined ? {} : { secret, wallClock: () => clock.now() };
  const network = new MemoryNetwork({ clock, background: isHeartbeat });
  const ledger = new ExecutionLedger();
  const faultStreams = childStream(root);
  // Each socket draws its faults from its own stream, so the faults of one socket do not depend
  // on the traffic of another; streams are handed out in bind order, which the run fixes.
  // A peer's sockets sit on its process's pause first (what arrives while it is stopped waits in
  // the receive buffer), then on the faults, which delay on the shared clock: a datagram sent just
  // before a stop is on the wire already.
  const bindFor =
    (owner: LedgerOwner, pause?: ProcessPause) =>
    async (ip: string, port: number): Promise<DatagramSocket> => {
      const raw = await network.bind(ip, port);
      const paused = pause === undefined ? raw : pause.socket(raw);
      return ledger.watch(new FaultySocket(paused, settings.faults, clock, childStream(faultStreams), isHeartbeat), owner);
    };

  const managerNotes: string[] = [];
  const exhausted: Exhausted[] = [];
  const noteExhausted = (by: string, text: string) => {
    const target = NO_RESPONSE.exec(text)?.[1];
    if (target !== undefined) exhausted.push({ by, target });
  };
  const builds: Build[] = [];
  const dhtHistory: DhtChange[] = [{ at: 0, dht: null }];
  const liveness = new LivenessLedger(clock, timing.detector, timing.heartbeatMs);
  let mode: ManagerState['mode'] = { kind: 'Idle' };
  // Set once built; the manager's events before that find no hook.
  let cluster: Cluster | null = null;
  // The state before the latest change: an eviction's note comes after the peer left the registry.
  let lastState: ManagerState | null = null;
  const managerOwner: LedgerOwner = {
    label: () => 'manager',
    ring: () => null,
    // The state its journal keeps: a command that changed it must never run again, restart or not.
    durable: () => {
      const s = cluster?.manager.state;
      return s === undefined ? [] : [s.peers, s.dht, s.mode, s.dhts];
    },
  };
  // Each manager process started counts one up; the events of one that was killed are not heard.
  let incarnation = 0;
  const managerOptions = (random: Rng, keys: KeySource, durable: ManagerServerOptions['durable']): ManagerServerOptions => {
    const mine = ++incarnation;
    return {
      host: MANAGER_ADDRESS.ip,
      port: MANAGER_ADDRESS.port,
      clock,
      random,
      keys,
      ...authentication,
      // The journal's times are virtual, as everything else: a restart keeps the replies of the
      // last minute of the run. Whole ms, as Date.now gives them (a journal's times are integers).
      ...(durable === undefined ? {} : { durable, wallClock: () => Math.floor(clock.now()) }),
      bind: bindFor(managerOwner),
      detector: timing.detector,
      // R = 1 is the manager's default: SPEC's DHT, with the options it always had.
      ...(settings.replicas === 1 ? {} : { replicas: settings.replicas }),
      onEvent: (e) => {
        if (mine === incarnation) onManagerEvent(e);
      },
    };
  };
  const onManagerEvent = (e: ManagerEvent): void => {
    // The manager could not write its journal and stopped answering: its process dies here.
    if (e.kind === 'fatal') {
      trace?.('manager', `fatal: ${e.text}`);
      cluster?.managerProcess?.onFatal?.(e.text);
      return;
    }
    if (e.kind === 'trace' && e.to === 'manager') ledger.ran(managerOwner);
    else if (e.kind === 'note' && e.level === 'warn') {
      managerNotes.push(e.text);
      noteExhausted('manager', e.text);
      const evicted = EVICTED.exec(e.text)?.[1];
      const entry = evicted === undefined ? undefined : lastState?.peers.get(evicted);
      if (entry !== undefined) liveness.evicted(entry, peers);
    }
    if (e.kind === 'state') {
      const done =
        e.state.mode.kind === 'Idle' &&
        e.state.dht !== null &&
        (mode.kind === 'AwaitDhtComplete' || mode.kind === 'AwaitDhtRebuilt' || mode.kind === 'AwaitDhtRepaired');
      if (done) builds.push({ peer: awaitedOf(mode)!.peer, repair: mode.kind === 'AwaitDhtRepaired' });
      if (e.state.mode.kind === 'AwaitDhtRepaired' && mode.kind !== 'AwaitDhtRepaired') cluster?.onRepairStarted?.();
      mode = e.state.mode;
      lastState = e.state;
      liveness.sawState(e.state);
      const d = e.state.dht;
      const tearingDown = e.state.mode.kind === 'AwaitTeardownComplete';
      const last = dhtHistory[dhtHistory.length - 1]!.dht;
      const same =
        d === null ? last === null : last !== null && last.serial === d.serial && last.year === d.year && sameNames(last.members, d.members) && last.tearingDown === tearingDown;
      if (!same) dhtHistory.push({ at: clock.now(), dht: d === null ? null : { year: d.year, members: d.members, serial: d.serial, tearingDown } });
    } else trace?.('manager', e.kind === 'trace' ? `${e.from} → ${e.to}: ${e.text}` : e.text);
  };
  // Keys from a stream of their own, not drawn from root: the seeds' other draws stay as they were.
  const firstRandom = childStream(root);
  const firstKeys = seededKeys(mulberry32(settings.seed ^ KEY_STREAM_SALT));
  const disk = settings.managerCrashChance > 0 ? emptyDisk() : null;
  let managerProcess: ManagerLifecycle | null = null;
  let manager: ManagerServer;
  if (disk === null) manager = await ManagerServer.start(managerOptions(firstRandom, firstKeys, undefined));
  else {
    const first = openMemoryState(disk, settings.replicas, clock.now());
    manager = await ManagerServer.start(managerOptions(firstRandom, firstKeys, first));
    managerProcess = managerLifecycle({
      disk,
      store: first.store,
      manager,
      replicas: settings.replicas,
      clock,
      options: managerOptions,
      silence: () => incarnation++,
      running: (m) => {
        cluster!.manager = m;
        // Its state, as a changed one: it is the one a crash right after a write made, which no
        // event told (the builds, the DHT's history and the registry's ages follow it).
        onManagerEvent({ kind: 'state', state: m.state });
      },
    });
  }

  const layout = childStream(root);
  const peers: SimPeer[] = [];
  for (let index = 0; index < settings.peers; index++) {
    const label = PEER_NAMES[index]!;
    // Set once the node exists; the owner's callbacks only run after that.
    let node: PeerNode | null = null;
    const owner: LedgerOwner = { label: () => node?.name ?? label, ring: () => node?.ring ?? null };
    const pause = new ProcessPause(clock);
    // The peer's options, drawn like everything else: most peers run the protocol as SPEC has it.
    node = new PeerNode({
      manager: MANAGER_ADDRESS,
      dataDir: layout() < PARTIAL_DATA_SHARE ? data.partialDir : data.fullDir,
      routing: layout() < DIRECT_SHARE ? 'direct' : 'hot-potato',
      placement: layout() < DIRECT_SHARE ? 'direct' : 'ring',
      batchBytes: layout() < 0.5 ? DEFAULT_BATCH_BYTES : MIN_BATCH_BYTES + Math.floor(layout() * (DEFAULT_BATCH_BYTES - MIN_BATCH_BYTES)),
      clock: pause.clock,
      random: childStream(root),
      bind: bindFor(owner, pause),
      heartbeatMs: timing.heartbeatMs,
      ...authentication,
      onEvent: (e) => {
        // The endpoint traces a received request just before it runs it, and never a repeat that
        // the reply cache answers; the peer's own sends are traced from its name.
        if (e.kind === 'trace' && e.to === node?.name && e.from !== e.to) ledger.ran(owner);
        if (e.kind === 'note' && e.level === 'warn') noteExhausted(node?.name ?? label, e.text);
        if (e.kind === 'progress') return;
        if (trace !== undefined) trace(label, e.kind === 'trace' ? `${e.from} → ${e.to}: ${e.text}` : e.kind === 'counts' ? `counts ${e.counts.join(' / ')}` : e.text);
      },
    });
    peers.push({
      index,
      label,
      ip: PEER_HOSTS[index % PEER_HOSTS.length]!,
      mPort: 7001 + 2 * index,
      pPort: 7002 + 2 * index,
      dataDir: node.dataDir,
      node,
      process: pause,
      dead: false,
      nameAtDeath: null,
      mPortAtDeath: null,
      crashedAt: null,
      busy: false,
    });
  }
  cluster = { clock, manager, managerProcess, peers, ledger, liveness, detector: timing.detector, heartbeatMs: timing.heartbeatMs, managerNotes, exhausted, builds, dhtHistory, onRepairStarted: null };
  return cluster;
}

/** Where a datagram names its type: codec.encode puts it second, inside a secret's envelope too. */
const TYPE_WITHIN_BYTES = 160;
const HEARTBEAT_TYPE = Buffer.from('"type":"heartbeat');

/**
 * A heartbeat or its answer: traffic that never ends while peers are registered, so its timers in
 * the network are background ones, and a step can still settle (no work in flight).
 */
function isHeartbeat(buf: Uint8Array): boolean {
  return Buffer.from(buf.buffer, buf.byteOffset, Math.min(buf.length, TYPE_WITHIN_BYTES)).includes(HEARTBEAT_TYPE);
}

/** The manager's note of an eviction: `failure detector: evicted <name> died (<why>)…`. */
const EVICTED = /^failure detector: evicted (\S+) died /;

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** One line of the peers' set-up for the run log: address, data directory and options. */
export function describePeers(cluster: Cluster, data: SimData): string {
  return cluster.peers
    .map((p) => {
      const n = p.node;
      const dir = p.dataDir === data.fullDir ? 'all years' : 'partial data';
      return `${p.label} ${p.ip}:${p.mPort}/${p.pPort} (${dir}, ${n.routing}, ${n.placement} placement, ${n.batchBytes} B batches)`;
    })
    .join('; ');
}

/**
 * Crashes a peer: its sockets close at once with no message to anyone, and it is never used
 * again. Whatever its running command does next cannot reach the network.
 */
export function crash(cluster: Cluster, peer: SimPeer): void {
  cluster.liveness.crashed(peer);
  peer.dead = true;
  peer.nameAtDeath = peer.node.name;
  peer.mPortAtDeath = peer.node.mPort;
  peer.crashedAt = cluster.clock.now();
  void peer.node.detach();
}

/** Closes every socket and timer owner of the run. */
export async function closeCluster(cluster: Cluster): Promise<void> {
  await Promise.all([cluster.manager.close(), ...cluster.peers.map((p) => p.node.detach())]);
}
