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
    const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: SOCKET_BUFFER_BYTES, sendBufferSize: SOCKET_BUFFER_BYTES });
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
    // Errors (EHOSTUNREACH, a full send buffer) are losses like any other: the callback swallows them.
    this.sock.send(buf, to.port, to.ip, () => {});
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
