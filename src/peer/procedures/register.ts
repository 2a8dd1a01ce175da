// register (SPEC §5, D11): bind the m-port and p-port — the given ones, or the two lowest free
// ports of the range on the interface that reaches the manager — then ask the manager.
import dgram from 'node:dgram';
import type { DatagramSocket } from '../../transport/udp-socket.js';
import type { Address } from '../../transport/udp-socket.js';
import { errorMessage } from '../errors.js';
import { failure, success, type CommandResult } from '../events.js';
import type { PeerNode } from '../node.js';
import { noKeys } from '../ring-auth.js';
import { keyBytes } from '../../wire/mac.js';

export interface ExplicitAddress {
  readonly ip: string;
  readonly mPort: number;
  readonly pPort: number;
}

export async function register(node: PeerNode, name: string, explicit: ExplicitAddress | null): Promise<CommandResult> {
  let sockets: [DatagramSocket, DatagramSocket];
  let ip: string;
  try {
    if (explicit) {
      ip = explicit.ip;
      sockets = await bindPair(node, ip, explicit.mPort, explicit.pPort);
    } else {
      ip = await localAddressFor(node.manager);
      sockets = await bindLowestFree(node, ip);
    }
  } catch (err) {
    return failure('register', errorMessage(err));
  }
  node.attach(name, ip, sockets[0], sockets[1]);
  let error: string | undefined;
  try {
    const reply = await node.managerRequest({ type: 'register', name, ip, mPort: sockets[0].local.port, pPort: sockets[1].local.port });
    if (!reply.ok) error = reply.error ?? 'refused';
    // This peer's own key: the manager seals each DHT's key for it under this one (ring-auth.ts).
    else node.keys = { ...noKeys(), peerKey: keyBytes(reply.key) };
  } catch (err) {
    error = errorMessage(err);
  }
  if (error !== undefined) {
    await node.detach();
    return failure('register', error);
  }
  node.startHeartbeat();
  return success('register');
}

async function bindPair(node: PeerNode, ip: string, mPort: number, pPort: number): Promise<[DatagramSocket, DatagramSocket]> {
  const m = await bindOrExplain(node, ip, mPort);
  try {
    return [m, await bindOrExplain(node, ip, pPort)];
  } catch (err) {
    await m.close();
    throw err;
  }
}

async function bindOrExplain(node: PeerNode, ip: string, port: number): Promise<DatagramSocket> {
  try {
    return await node.bind(ip, port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? errorMessage(err);
    throw new Error(`cannot bind ${ip}:${port} (${code})`);
  }
}

/** The two lowest ports of the peer's range that bind on ip: m-port first, then p-port. */
async function bindLowestFree(node: PeerNode, ip: string): Promise<[DatagramSocket, DatagramSocket]> {
  const { lo, hi } = node.portRange;
  const got: DatagramSocket[] = [];
  for (let port = lo; port <= hi && got.length < 2; port++) {
    try {
      got.push(await node.bind(ip, port));
    } catch {
      // In use (by another peer on this host, or anything else): try the next one.
    }
  }
  if (got.length < 2) {
    await Promise.all(got.map((s) => s.close()));
    throw new Error(`no two free ports in ${lo}-${hi} on ${ip}`);
  }
  return [got[0]!, got[1]!];
}

/**
 * The IPv4 of the interface this host uses to reach the manager: connect a UDP socket to it (no
 * datagram is sent) and read the local address the kernel chose.
 */
export function localAddressFor(manager: Address): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    sock.once('error', (err) => {
      sock.close();
      reject(new Error(`cannot find a route to the manager at ${manager.ip}:${manager.port} (${(err as NodeJS.ErrnoException).code ?? err.message})`));
    });
    sock.connect(manager.port, manager.ip, () => {
      const ip = sock.address().address;
      sock.close();
      resolve(ip === '0.0.0.0' ? '127.0.0.1' : ip);
    });
  });
}
