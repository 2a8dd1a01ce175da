// Network namespaces for netns.test.ts: a small lab of "hosts" joined by veth pairs through a
// bridge namespace, with 10.213.0.0/24 addresses that exist only inside them, and a driver that
// runs a stormdht program inside one (`ip netns exec <ns> node main.js …`, processes.ts's JsonChild
// with a command prefix). Not a test file itself.
import { spawnSync } from 'node:child_process';
import { JsonChild, type JsonLine } from '../../src/cli/processes.js';
import type { Driver, ManagerHandle } from './faults-fleet.js';

/** Runs `ip …`; throws with its stderr on failure. */
export function ip(...args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`ip ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: exit ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Names of the existing namespaces that start with `prefix`. */
export function namespacesWith(prefix: string): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return [];
  return r.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name.startsWith(prefix));
}

/**
 * Why namespaces cannot be made here (null when they can): tries `ip netns add` with a probe name
 * and deletes it again.
 */
export function netnsUnavailable(prefix: string): string | null {
  const probe = `${prefix}probe`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.error) return `cannot run ip (iproute2): ${r.error.message}`;
  if (r.status !== 0) return `ip netns add failed (root and iproute2 needed): ${r.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}

export interface Host {
  readonly ns: string;
  readonly address: string;
}

/**
 * A bridge namespace and one namespace per host, each host's eth0 joined by a veth pair to a port
 * of the bridge; lo and every link up. Every name starts with `prefix`; on any failure whatever
 * was made is deleted before the error is thrown.
 */
export function buildLab(prefix: string, hosts: ReadonlyArray<{ name: string; address: string }>): { bridge: string; hosts: Map<string, Host> } {
  const bridge = `${prefix}br`;
  try {
    ip('netns', 'add', bridge);
    ip('-n', bridge, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', bridge, 'link', 'set', 'br0', 'up');
    ip('-n', bridge, 'link', 'set', 'lo', 'up');
    const out = new Map<string, Host>();
    hosts.forEach((h, i) => {
      const ns = `${prefix}${h.name}`;
      const port = `p${i}`;
      ip('netns', 'add', ns);
      // The pair is made directly inside the two namespaces: no name ever exists outside them.
      ip('link', 'add', 'name', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', bridge);
      ip('-n', bridge, 'link', 'set', port, 'master', 'br0');
      ip('-n', bridge, 'link', 'set', port, 'up');
      ip('-n', ns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      out.set(h.name, { ns, address: h.address });
    });
    return { bridge, hosts: out };
  } catch (err) {
    deleteLab(prefix);
    throw err;
  }
}

/** Deletes every namespace whose name starts with `prefix`; returns those still there after. */
export function deleteLab(prefix: string): string[] {
  for (const ns of namespacesWith(prefix)) spawnSync('ip', ['netns', 'del', ns]);
  return namespacesWith(prefix);
}

/** The addresses (IPv4, with prefix length) configured inside a namespace. */
export function addressesIn(ns: string): string[] {
  const out = ip('-n', ns, '-o', '-4', 'addr', 'show');
  return [...out.matchAll(/inet (\d+\.\d+\.\d+\.\d+\/\d+)/g)].map((m) => m[1]!);
}

/** A stormdht program with --json, run inside a namespace (`ip netns exec <ns> node main.js …`). */
export class NsChild extends JsonChild implements Driver {
  constructor(
    label: string,
    readonly ns: string,
    args: readonly string[],
    options: { env?: NodeJS.ProcessEnv; onLine?: (label: string, line: JsonLine) => void } = {},
  ) {
    super(label, args, { ...options, prefix: ['ip', 'netns', 'exec', ns] });
  }
}

/** `stormdht manager 0 --host <address> --json` inside `ns`; resolves once it listens. */
export async function startNsManager(
  ns: string,
  address: string,
  options: { env?: NodeJS.ProcessEnv; onLine?: (label: string, line: JsonLine) => void } = {},
): Promise<ManagerHandle> {
  const proc = new NsChild('manager', ns, ['manager', '0', '--host', address, '--json'], options);
  try {
    const listening = await proc.waitForLine((l) => l.event === 'listening', 15_000);
    return { proc, ip: String(listening.ip), port: Number(listening.port) };
  } catch (err) {
    proc.child.kill('SIGKILL');
    await proc.exited;
    throw err;
  }
}
