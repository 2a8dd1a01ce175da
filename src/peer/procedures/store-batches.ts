// Store batching (SPEC §6.2 step 2): one owner's records are packed into store datagrams that
// stay within a byte budget (default MTU-safe, DEFAULT_BATCH_BYTES). Each record is serialised
// once: the same text measures it and, joined with its batch mates, becomes the datagram.
import { encodeStore } from '../../wire/codec.js';
import type { Tuple, WireRecord } from '../../wire/messages.js';

export interface StoreBatch {
  readonly records: readonly WireRecord[];
  /** The records' JSON array text, exactly as it goes into the datagram. */
  readonly json: string;
}

/** A rid as long as any the transport makes (prefix, dot, counter), for the envelope's size. */
const LONGEST_RID = 'x'.repeat(24);

/**
 * Splits one owner's records into batches whose store datagram, as encodeStore builds it, stays
 * within `budget` bytes. A record larger than the budget on its own still travels, alone.
 */
export function planStoreBatches(records: readonly WireRecord[], origin: Tuple, owner: number, epoch: string, budget: number): StoreBatch[] {
  const envelope = encodeStore(LONGEST_RID, origin, owner, epoch, '[]').length;
  const out: StoreBatch[] = [];
  let start = 0;
  let parts: string[] = [];
  let size = envelope;
  const close = (end: number) => {
    out.push({ records: records.slice(start, end), json: `[${parts.join(',')}]` });
    start = end;
    parts = [];
    size = envelope;
  };
  records.forEach((rec, i) => {
    const text = JSON.stringify(rec);
    const bytes = Buffer.byteLength(text) + 1; // +1: the separating comma
    if (parts.length > 0 && size + bytes > budget) close(i);
    parts.push(text);
    size += bytes;
  });
  if (parts.length > 0) close(records.length);
  return out;
}

/** The records of each batch (for callers that build the message themselves). */
export function batches(records: readonly WireRecord[], origin: Tuple, owner: number, epoch: string, budget: number): WireRecord[][] {
  return planStoreBatches(records, origin, owner, epoch, budget).map((b) => [...b.records]);
}
