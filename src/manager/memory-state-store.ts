// A state store in memory (issue 13): the simulation's and the tests' stand-in for the state
// directory. Its "disk" holds the very texts the files would hold (journal.ts's lines), so a
// restart reads them back through the same recovery as a real one, and a crash in the middle of a
// write is played by cutting the last record short, as a torn write leaves it.
import { encodeLine, recoverTexts, StateDirError } from './journal.js';
import { isJournalBody, isSnapshotBody, restore, RestoreError, type JournalBody, type Restored, type SnapshotBody, type StateStore } from './durability.js';

/** What survives a crash: the snapshot's and the journal's texts. */
export interface MemoryDisk {
  snapshot: string | null;
  journal: string;
}

export function emptyDisk(): MemoryDisk {
  return { snapshot: null, journal: '' };
}

export class MemoryStateStore implements StateStore {
  private state: 'open' | 'closed' = 'open';
  /** Set by crashDuringNextWrite: the next append writes this fraction of its record, then fails. */
  private tearAt: number | null = null;

  constructor(
    readonly disk: MemoryDisk,
    private seq: number,
  ) {}

  append(body: JournalBody): number {
    if (this.state === 'closed') throw new StateDirError('the state store is closed');
    const line = encodeLine({ seq: this.seq + 1, body });
    if (this.tearAt !== null) {
      // The process dies in the middle of the write: part of the line reaches the disk, and the
      // change it records is never announced (the reply waits for the write).
      this.disk.journal += line.slice(0, Math.floor(line.length * this.tearAt));
      this.state = 'closed';
      throw new StateDirError('the process died in the middle of a write');
    }
    this.seq++;
    this.disk.journal += line;
    return this.seq;
  }

  get journalBytes(): number {
    return Buffer.byteLength(this.disk.journal);
  }

  /** The next append writes `fraction` (0 to 1) of its record and fails, as a crash in its middle does. */
  crashDuringNextWrite(fraction: number): void {
    this.tearAt = Math.min(Math.max(fraction, 0), 0.999);
  }

  compact(body: SnapshotBody): void {
    if (this.state === 'closed') throw new StateDirError('the state store is closed');
    this.disk.snapshot = encodeLine({ seq: this.seq, body });
    this.disk.journal = '';
  }

  /** Nothing more is written: the process is gone. */
  close(): void {
    this.state = 'closed';
  }
}

/** Opens the disk as a restarted manager does: the store to write on, and what it restored. */
export function openMemoryState(disk: MemoryDisk, replicas: number, now: number): { store: MemoryStateStore; restored: Restored } {
  const names = { snapshot: 'snapshot', journal: 'journal' };
  const { recovered, last, rewritten } = recoverTexts({ snapshot: disk.snapshot, journal: disk.journal === '' ? null : disk.journal }, names, isSnapshotBody, isJournalBody);
  if (rewritten !== null) disk.journal = rewritten;
  try {
    return { store: new MemoryStateStore(disk, last), restored: restore(recovered, replicas, now) };
  } catch (err) {
    throw err instanceof RestoreError ? new StateDirError(err.message) : err;
  }
}
