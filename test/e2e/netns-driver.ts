// Network namespaces for netns.test.ts: a small lab of "hosts" joined by veth pairs through a
// bridge namespace, with 10.213.0.0/24 addresses that exist only inside them, and a driver that
// runs a stormdht program inside one (`ip netns exec <ns> node main.js …`). processes.ts's
// JsonChild always spawns `node main.js` itself and has no command prefix, so NsChild repeats its
// few lines of JSON-line handling around the prefixed command. Not a test file itself.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { MAIN_SCRIPT, type JsonLine } from '../../src/cli/processes.js';
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

/** A stormdht program with --json, run inside a namespace. */
export class NsChild implements Driver {
  readonly child: ChildProcess;
  readonly lines: JsonLine[] = [];
  readonly exited: Promise<number | string>;
  private stderrText = '';
  private readonly results: JsonLine[] = [];
  private readonly resultWaiters: Array<(l: JsonLine | null) => void> = [];
  private readonly lineWaiters: Array<{ test: (l: JsonLine) => boolean; resolve: (l: JsonLine | null) => void }> = [];
  private closed = false;

  constructor(
    readonly label: string,
    readonly ns: string,
    args: readonly string[],
    options: { env?: NodeJS.ProcessEnv; onLine?: (label: string, line: JsonLine) => void } = {},
  ) {
    this.child = spawn('ip', ['netns', 'exec', ns, process.execPath, MAIN_SCRIPT, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    this.child.stdin!.on('error', () => {});
    this.child.stderr!.on('data', (d: Buffer) => (this.stderrText += d.toString()));
    readline.createInterface({ input: this.child.stdout! }).on('line', (text) => {
      let line: JsonLine;
      try {
        line = JSON.parse(text) as JsonLine;
      } catch {
        line = { type: 'text', text };
      }
      this.lines.push(line);
      options.onLine?.(label, line);
      if (line.type === 'result') {
        const w = this.resultWaiters.shift();
        if (w) w(line);
        else this.results.push(line);
      }
      for (const w of [...this.lineWaiters]) {
        if (w.test(line)) {
          this.lineWaiters.splice(this.lineWaiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.closed = true;
        for (const w of this.resultWaiters.splice(0)) w(null);
        for (const w of this.lineWaiters.splice(0)) w.resolve(null);
        resolve(code ?? signal ?? 'unknown');
      });
    });
  }

  get stderr(): string {
    return this.stderrText;
  }

  waitForLine(test: (l: JsonLine) => boolean, timeoutMs = 30_000): Promise<JsonLine> {
    const seen = this.lines.find(test);
    if (seen) return Promise.resolve(seen);
    if (this.closed) return Promise.reject(new Error(`${this.label} has exited${this.tail()}`));
    return this.within(new Promise((resolve) => this.lineWaiters.push({ test, resolve })), timeoutMs, 'expected line');
  }

  nextResult(timeoutMs = 120_000): Promise<JsonLine> {
    const ready = this.results.shift();
    if (ready) return Promise.resolve(ready);
    if (this.closed) return Promise.reject(new Error(`${this.label} has exited${this.tail()}`));
    return this.within(new Promise((resolve) => this.resultWaiters.push(resolve)), timeoutMs, 'result');
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  run(line: string, timeoutMs?: number): Promise<JsonLine> {
    this.send(line);
    return this.nextResult(timeoutMs);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
    if (!this.closed) this.child.kill(signal);
    return this.exited;
  }

  private within(p: Promise<JsonLine | null>, ms: number, what: string): Promise<JsonLine> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.label}: no ${what} within ${ms} ms${this.tail()}`)), ms);
      p.then((line) => {
        clearTimeout(timer);
        if (line === null) reject(new Error(`${this.label} exited before ${what}${this.tail()}`));
        else resolve(line);
      });
    });
  }

  private tail(): string {
    const err = this.stderrText.trim();
    return err ? `; stderr: ${err.slice(-2000)}` : '';
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
