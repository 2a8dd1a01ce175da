// Shared set-up for the transport tests: a MemoryNetwork on a VirtualClock, endpoints on it, and a
// raw socket that records what reaches it (for byte-level checks of what an endpoint sends).
import assert from 'node:assert/strict';
import { Endpoint, type EndpointOptions } from '../../src/transport/endpoint.js';
import { FaultySocket, type FaultConfig } from '../../src/transport/faults.js';
import { MemoryNetwork, type MemoryNetworkOptions } from '../../src/transport/memory-network.js';
import type { Address, DatagramSocket } from '../../src/transport/udp-socket.js';
import { VirtualClock } from '../../src/transport/virtual-clock.js';
import { decode } from '../../src/wire/codec.js';
import type { Message, Request } from '../../src/wire/messages.js';

export const CLIENT: Address = { ip: '10.0.0.1', port: 5000 };
export const SERVER: Address = { ip: '10.0.0.2', port: 6000 };
export const OTHER: Address = { ip: '10.0.0.3', port: 5000 };

/** Lets every pending promise continuation run (one turn of the event loop; no time passes). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Anything that binds sockets: a MemoryNetwork, or one whose sockets inject faults. */
export interface Binder {
  bind(ip: string, port: number): Promise<DatagramSocket>;
}

/** A network whose deliveries are timers of a fresh virtual clock. */
export function virtualNet(options: Omit<MemoryNetworkOptions, 'clock'> = {}): { clock: VirtualClock; net: MemoryNetwork } {
  const clock = new VirtualClock();
  return { clock, net: new MemoryNetwork({ ...options, clock }) };
}

/**
 * A virtual network whose every socket sends through a FaultySocket drawing on `random` (one
 * seeded source for the whole network, so the run repeats); `sockets` lists them for their stats.
 */
export function faultyNet(faults: FaultConfig, random: () => number): { clock: VirtualClock; net: Binder; sockets: FaultySocket[] } {
  const { clock, net } = virtualNet();
  const sockets: FaultySocket[] = [];
  const bind = async (ip: string, port: number) => {
    const socket = new FaultySocket(await net.bind(ip, port), faults, clock, random);
    sockets.push(socket);
    return socket;
  };
  return { clock, net: { bind }, sockets };
}

/** One datagram as a raw socket saw it. */
export interface Arrival {
  readonly at: number;
  readonly buf: Buffer;
  readonly from: Address;
  /** The decoded message, or null when it is malformed. */
  readonly msg: Message | null;
}

/** A bare socket that records every datagram it receives, with the virtual time of arrival. */
export async function rawSocket(net: Binder, clock: VirtualClock, at: Address): Promise<{ socket: DatagramSocket; arrivals: Arrival[] }> {
  const socket = await net.bind(at.ip, at.port);
  const arrivals: Arrival[] = [];
  socket.onDatagram((buf, from) => {
    const d = decode(buf);
    arrivals.push({ at: clock.now(), buf, from, msg: d.ok ? d.msg : null });
  });
  return { socket, arrivals };
}

/** A server endpoint that records every request and, when `autoReply`, answers it ok at once. */
export async function server(
  net: Binder,
  clock: VirtualClock,
  options: { at?: Address; autoReply?: boolean } & EndpointOptions = {},
): Promise<{ endpoint: Endpoint; handled: Array<{ msg: Request; from: Address }> }> {
  const at = options.at ?? SERVER;
  const handled: Array<{ msg: Request; from: Address }> = [];
  const socket = await net.bind(at.ip, at.port);
  const endpoint: Endpoint = new Endpoint(
    socket,
    (msg, from) => {
      handled.push({ msg, from });
      if (options.autoReply ?? true) endpoint.reply(from, msg.rid, { ok: true });
    },
    { clock, ...options },
  );
  return { endpoint, handled };
}

/** A client endpoint that must never be asked anything. */
export async function client(net: Binder, clock: VirtualClock, at: Address = CLIENT, options: EndpointOptions = {}): Promise<Endpoint> {
  const socket = await net.bind(at.ip, at.port);
  return new Endpoint(socket, (msg) => assert.fail(`the client got a request ${msg.type}`), { clock, ...options });
}

/** Follows a promise so that a test can ask, without awaiting, whether it has settled yet. */
export function track<T>(p: Promise<T>): { readonly state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } {
  const t: { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = { state: 'pending' };
  p.then(
    (value) => Object.assign(t, { state: 'resolved', value }),
    (error: unknown) => Object.assign(t, { state: 'rejected', error }),
  );
  return t;
}
