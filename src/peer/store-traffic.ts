// Bulk store traffic is summarised rather than traced datagram by datagram (SPEC §1.5): a node
// counts what it sent, received and acknowledged, and prints one summary when the count message
// of that distribution passes (or, at the leader, when the distribution ends).
import { storeCount, type StoreAck, type StoreRequest } from '../wire/messages.js';

export class StoreTraffic {
  private readonly sent = new Map<string, { datagrams: number; records: number }>();
  private receivedDatagrams = 0;
  private receivedRecords = 0;
  private acksSent = 0;
  private acksReceived = 0;
  retransmits = 0;

  record(dir: 'send' | 'recv', msg: StoreRequest | StoreAck, peer: string): void {
    if (msg.type === 'store-ack') {
      if (dir === 'send') this.acksSent++;
      else this.acksReceived++;
      return;
    }
    if (dir === 'recv') {
      this.receivedDatagrams++;
      this.receivedRecords += storeCount(msg);
      return;
    }
    const entry = this.sent.get(peer) ?? { datagrams: 0, records: 0 };
    entry.datagrams++;
    entry.records += storeCount(msg);
    this.sent.set(peer, entry);
  }

  /** A store received and kept without the full decode (handlers/store.ts keepPackedStore). */
  received(records: number): void {
    this.receivedDatagrams++;
    this.receivedRecords += records;
  }

  /** A store received and passed on undecoded (handlers/store.ts interceptStore). */
  relayed(records: number, to: string): void {
    this.received(records);
    this.passedOn(records, to);
  }

  /** A store this node kept and then passed on to the next node of its chain (issue 12). */
  passedOn(records: number, to: string): void {
    const entry = this.sent.get(to) ?? { datagrams: 0, records: 0 };
    entry.datagrams++;
    entry.records += records;
    this.sent.set(to, entry);
  }

  /** One line about everything since the last reset, or null when there was no store traffic. */
  summary(): string | null {
    const parts: string[] = [];
    for (const [peer, e] of this.sent) parts.push(`sent ${plural(e.datagrams, 'store datagram')} (${plural(e.records, 'record')}) to ${peer}`);
    if (this.receivedDatagrams > 0) parts.push(`received ${plural(this.receivedDatagrams, 'store datagram')} (${plural(this.receivedRecords, 'record')})`);
    if (this.acksSent > 0) parts.push(`sent ${plural(this.acksSent, 'store-ack')}`);
    if (this.acksReceived > 0) parts.push(`received ${plural(this.acksReceived, 'store-ack')}`);
    if (this.retransmits > 0) parts.push(`retransmitted ${plural(this.retransmits, 'store')}`);
    return parts.length > 0 ? `store traffic: ${parts.join('; ')}` : null;
  }

  reset(): void {
    this.sent.clear();
    this.receivedDatagrams = 0;
    this.receivedRecords = 0;
    this.acksSent = 0;
    this.acksReceived = 0;
    this.retransmits = 0;
  }

  /** Emits the summary through `note` (if any) and starts counting afresh. */
  flush(note: (text: string) => void): void {
    const line = this.summary();
    if (line) note(line);
    this.reset();
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
