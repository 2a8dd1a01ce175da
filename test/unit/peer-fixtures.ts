// A manager and named peers in one process on a MemoryNetwork and a VirtualClock, running the
// protocol code unchanged, plus a raw socket on the same network for what an attacker sends: the
// harness of the peer-level security tests. Not a test file itself.
import assert from 'node:assert/strict';
import { mulberry32 } from '../../src/data/seeded-random.js';
import { seededKeys } from '../../src/manager/keys.js';
import { ManagerServer, type ManagerServerOptions } from '../../src/manager/server.js';
import { runCommand } from '../../src/peer/commands.js';
import type { CommandResult } from '../../src/peer/events.js';
import { PeerNode, type PeerOptions } from '../../src/peer/node.js';
import { simData } from '../../src/sim/sim-data.js';
import { MemoryNetwork } from '../../src/transport/memory-network.js';
import type { Address, DatagramSocket } from '../../src/transport/udp-socket.js';
import { VirtualClock } from '../../src/transport/virtual-clock.js';

export const MANAGER_AT: Address = { ip: '10.0.0.1', port: 7000 };
export const ATTACKER_AT: Address = { ip: '10.0.0.66', port: 6666 };

export interface MemoryCluster {
  readonly clock: VirtualClock;
  readonly net: MemoryNetwork;
  readonly manager: ManagerServer;
  readonly nodes: ReadonlyMap<string, PeerNode>;
  /** Runs a command to its result, advancing virtual time. */
  run(name: string, line: string): Promise<CommandResult>;
  /** Runs a command that must succeed. */
  ok(name: string, line: string): Promise<CommandResult>;
  /** A raw socket for forged datagrams, and what reaches it. */
  attacker(): Promise<{ socket: DatagramSocket; received: Buffer[] }>;
  /** Lets every datagram in flight arrive (and every timer of the next `ms` fire). */
  settle(ms?: number): Promise<void>;
  close(): Promise<void>;
}

/** Peer i registers at 10.0.0.2, m-port 7001+2i, p-port 7002+2i. */
export async function memoryCluster(
  names: readonly string[],
  options: Partial<PeerOptions> = {},
  managerOptions: Pick<ManagerServerOptions, 'observer'> = {},
): Promise<MemoryCluster> {
  const clock = new VirtualClock();
  const net = new MemoryNetwork({ clock, delayMs: 1 });
  const manager = await ManagerServer.start({
    host: MANAGER_AT.ip,
    port: MANAGER_AT.port,
    clock,
    random: mulberry32(1),
    keys: seededKeys(mulberry32(2)),
    bind: (ip, port) => net.bind(ip, port),
    ...managerOptions,
  });
  const nodes = new Map(
    names.map((name, i) => [
      name,
      new PeerNode({ manager: manager.address, dataDir: simData().fullDir, clock, random: mulberry32(10 + i), bind: (ip, port) => net.bind(ip, port), ...options }),
    ]),
  );
  const run = async (name: string, line: string): Promise<CommandResult> => {
    let result: CommandResult | undefined;
    void runCommand(nodes.get(name)!, line.split(' '), () => Promise.resolve(null)).then((r) => (result = r));
    while (result === undefined) await clock.advanceSettled(10);
    return result;
  };
  const cluster: MemoryCluster = {
    clock,
    net,
    manager,
    nodes,
    run,
    async ok(name, line) {
      const result = await run(name, line);
      assert.equal(result.ok, true, `${name}: ${line}: ${result.error}`);
      return result;
    },
    async attacker() {
      const socket = await net.bind(ATTACKER_AT.ip, ATTACKER_AT.port);
      const received: Buffer[] = [];
      socket.onDatagram((buf) => received.push(buf));
      return { socket, received };
    },
    async settle(ms = 50) {
      await clock.advanceSettled(ms);
    },
    async close() {
      await Promise.all([manager.close(), ...[...nodes.values()].map((n) => n.detach())]);
    },
  };
  for (const [i, name] of names.entries()) await cluster.ok(name, `register ${name} 10.0.0.2 ${7001 + 2 * i} ${7002 + 2 * i}`);
  return cluster;
}

/** Every member's (id, records) as its node holds them: what a forgery must not change. */
export function ringSnapshot(c: MemoryCluster): Array<{ name: string; id: number | null; records: number; epoch: string | null }> {
  return [...c.nodes].map(([name, node]) => ({ name, id: node.ring?.id ?? null, records: node.table.size, epoch: node.ring?.epoch ?? null }));
}
