// Many peers in one process, each with its own two UDP sockets, around a manager in the same
// process: for scale runs (n = 100, 1000) and benchmarks, where one process per peer would cost
// more than the protocol being measured. Every message still crosses real loopback sockets.
import { ManagerServer } from '../manager/server.js';
import { runCommand, tokenize } from '../peer/commands.js';
import type { CommandResult } from '../peer/events.js';
import { PeerNode, type PeerOptions } from '../peer/node.js';

export interface LocalClusterOptions {
  readonly peers: number;
  readonly dataDir: string;
  /** Peer i gets ports basePort + 2i (m-port) and basePort + 2i + 1 (p-port). */
  readonly basePort: number;
  readonly host?: string;
  /** Options every peer shares (batchBytes, routing, placement, …). */
  readonly peerOptions?: Partial<PeerOptions>;
  /** The manager's --await-timeout, in ms (default DEFAULT_AWAIT_TIMEOUT_MS). */
  readonly awaitTimeoutMs?: number;
  /** The manager's --replicas: R copies of every record (issue 12). Default 1. */
  readonly replicas?: number;
}

/** The i-th peer name: letters only (SPEC §2), a, b, …, z, aa, ab, … */
export function peerName(i: number): string {
  let name = '';
  for (let k = i + 1; k > 0; k = Math.floor((k - 1) / 26)) name = String.fromCharCode(97 + ((k - 1) % 26)) + name;
  return `peer${name}`;
}

export class LocalCluster {
  private constructor(
    readonly manager: ManagerServer,
    readonly nodes: ReadonlyMap<string, PeerNode>,
  ) {}

  /** Starts the manager and the peers and registers every peer on its own two ports. */
  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const host = options.host ?? '127.0.0.1';
    // No failure detector: hundreds of peers in one process would spend it on heartbeats, and no
    // peer here can die without the process that holds them all.
    const manager = await ManagerServer.start({ host, port: 0, detector: false, replicas: options.replicas ?? 1, ...(options.awaitTimeoutMs === undefined ? {} : { awaitTimeoutMs: options.awaitTimeoutMs }) });
    const nodes = new Map<string, PeerNode>();
    const cluster = new LocalCluster(manager, nodes);
    try {
      for (let i = 0; i < options.peers; i++) {
        const name = peerName(i);
        const lo = options.basePort + 2 * i;
        // Standby off unless asked for: the peers share one thread, and each packing ahead for the
        // rebuild it might lead would hold up all the others (procedures/standby.ts).
        const node = new PeerNode({ standby: false, heartbeatMs: null, ...options.peerOptions, manager: manager.address, dataDir: options.dataDir, portRange: { lo, hi: lo + 1 } });
        nodes.set(name, node);
        const result = await cluster.run(name, `register ${name}`);
        if (!result.ok) throw new Error(`register ${name}: ${result.error}`);
      }
    } catch (err) {
      await cluster.close();
      throw err;
    }
    return cluster;
  }

  get names(): string[] {
    return [...this.nodes.keys()];
  }

  node(name: string): PeerNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no peer ${name} in this cluster`);
    return node;
  }

  /** Runs one command line at the named peer, as if typed there. */
  async run(name: string, line: string): Promise<CommandResult> {
    const tokens = tokenize(line);
    if (tokens === null) throw new Error(`empty command for ${name}`);
    return runCommand(this.node(name), tokens, async () => null);
  }

  /** The first peer whose own state is Free. */
  freePeer(): string | undefined {
    return this.names.find((n) => this.node(n).status().state === 'Free');
  }

  async close(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((n) => n.detach()));
    await this.manager.close();
  }
}
