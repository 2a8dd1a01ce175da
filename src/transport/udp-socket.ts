// The datagram socket the transport sends on, as an interface so that tests and the simulation can
// inject their own, and its real implementation over node:dgram.
import dgram from 'node:dgram';
import { SOCKET_BUFFER_BYTES } from './timing.js';

export interface Address {
  readonly ip: string;
  readonly port: number;
}

export interface DatagramSocket {
  /** The address the socket is bound to. */
  readonly local: Address;
  send(buf: Uint8Array, to: Address): void;
  /** The one receiver of every datagram that arrives. */
  onDatagram(handler: (buf: Buffer, from: Address) => void): void;
  /** Safe to call twice. */
  close(): Promise<void>;
}

export function formatAddress(a: Address): string {
  return `${a.ip}:${a.port}`;
}

/**
 * Binds a UDP/IPv4 socket on ip:port (port 0: any free port) with large buffers. Rejects with the
 * bind error (e.g. EADDRINUSE) when the port cannot be had.
 */
export function bindUdp(ip: string, port: number): Promise<DatagramSocket> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: SOCKET_BUFFER_BYTES, sendBufferSize: SOCKET_BUFFER_BYTES, lookup: literalLookup });
    const onBindError = (err: Error) => {
      sock.close();
      reject(err);
    };
    sock.once('error', onBindError);
    sock.bind({ address: ip, port, exclusive: true }, () => {
      sock.off('error', onBindError);
      // After bind, socket errors (e.g. ICMP errors surfaced by the kernel) must never crash the
      // process: UDP is unreliable anyway and the transport retransmits.
      sock.on('error', () => {});
      const addr = sock.address();
      resolve(new UdpSocket(sock, { ip: addr.address, port: addr.port }));
    });
  });
}

/**
 * The address resolver of every socket: each address stormdht sends to is an IPv4 literal (checked
 * where it enters: the command line, a register, the tuples of a ring, a datagram's source), so
 * it is its own answer. node:dgram otherwise passes every send through dns.lookup, which answers
 * a literal on the next tick: about 1 µs of CPU more per datagram, and a tick of delay.
 */
function literalLookup(address: string, _options: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  callback(null, address, 4);
}

class UdpSocket implements DatagramSocket {
  private closed: Promise<void> | null = null;
  private handler: (buf: Buffer, from: Address) => void = () => {};

  constructor(
    private readonly sock: dgram.Socket,
    readonly local: Address,
  ) {
    sock.on('message', (buf, rinfo) => this.handler(buf, { ip: rinfo.address, port: rinfo.port }));
  }

  send(buf: Uint8Array, to: Address): void {
    if (this.closed) return;
    // Errors (EHOSTUNREACH, a full send buffer) are losses like any other: without a callback
    // they go to the socket's 'error' listener, which swallows them (and no tick is spent on one).
    this.sock.send(buf, to.port, to.ip);
  }

  onDatagram(handler: (buf: Buffer, from: Address) => void): void {
    this.handler = handler;
  }

  close(): Promise<void> {
    this.closed ??= new Promise((resolve) => {
      try {
        this.sock.close(() => resolve());
      } catch {
        resolve();
      }
    });
    return this.closed;
  }
}
