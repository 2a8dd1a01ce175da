// The manager's state directory (issue 13): a write-ahead journal of what each command changed,
// and a snapshot that compacts it, after etcd's WAL and snapshots. Every record is one line, its
// CRC-32 in hex, a space, its JSON, so that a torn last write (the process killed in the middle
// of a write, or the machine losing power before the disk had it all) is found and dropped, and a
// damaged record elsewhere is found and refused rather than replayed. A record is written and
// fsynced before the reply that makes its change visible is sent (server.ts). The snapshot is
// written to a temporary file, fsynced and renamed over the old one, so it is always whole; then
// the journal starts again empty. Files are mode 0600 (they hold every peer's and the DHT's keys),
// the directory 0700. Synchronous on purpose: the manager handles one datagram at a time, and the
// reply must wait for the disk anyway.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, existsSync, statSync, chmodSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';

export const JOURNAL_FILE = 'journal.log';
export const SNAPSHOT_FILE = 'snapshot.json';
/** Holds the pid of the manager using the directory: two managers writing one journal would corrupt it. */
export const LOCK_FILE = 'lock';
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/** One journal line's content: its sequence number and what it carries. */
export interface Entry<T> {
  readonly seq: number;
  readonly body: T;
}

/** What a state directory held: the snapshot (or none), the journal's entries after it, and what was dropped. */
export interface Recovered<S, T> {
  readonly snapshot: Entry<S> | null;
  readonly entries: readonly Entry<T>[];
  /** One line saying what a torn last write left, which was dropped; null when nothing was. */
  readonly dropped: string | null;
}

/** A state directory that cannot be used: the message names the file and says why. */
export class StateDirError extends Error {}

/** A line: the CRC-32 of the JSON text, in 8 hex digits, a space, the JSON text. */
export function encodeLine(value: unknown): string {
  const json = JSON.stringify(value);
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

/** The value of a line (without its newline), or null when its checksum or JSON is wrong. */
export function decodeLine(line: string): unknown {
  if (line.length < 10 || line[8] !== ' ') return null;
  const json = line.slice(9);
  if (crc32(json).toString(16).padStart(8, '0') !== line.slice(0, 8)) return null;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return null;
  }
}

/**
 * The entries of a journal's text. A last line that is cut short or damaged is a torn write:
 * dropped, and said so. A damaged line with whole ones after it is not something a crash leaves,
 * so the text is refused.
 */
export function parseJournal<T>(text: string, file: string, isBody: (v: unknown) => v is T): { entries: Entry<T>[]; dropped: string | null } {
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  const entries: Entry<T>[] = [];
  for (let i = 0; i < lines.length; i++) {
    const value = decodeLine(lines[i]!);
    // A whole line (its checksum holds) that is not a record of ours was not left by a crash: a
    // newer or other program wrote it, and replaying around it would make up a state.
    if (value !== null && !isEntry(value, isBody)) throw new StateDirError(`${file} line ${i + 1} is not a record this manager writes: refusing to start`);
    const entry = value as Entry<T> | null;
    if (entry === null) {
      const after = lines.length - i - 1;
      if (after > 0) throw new StateDirError(`${file} line ${i + 1} is damaged and ${after} ${after === 1 ? 'record follows' : 'records follow'} it: refusing to start (move the state directory aside to start empty)`);
      const bytes = Buffer.byteLength(lines[i]!) + 1 + Buffer.byteLength(tail);
      return { entries, dropped: `dropped a damaged last record of ${file} (${bytes} bytes, line ${i + 1}): a torn write` };
    }
    const expected = entries.length === 0 ? null : entries[entries.length - 1]!.seq + 1;
    if (expected !== null && entry.seq !== expected) throw new StateDirError(`${file} line ${i + 1} has record ${entry.seq} where ${expected} was due: refusing to start`);
    entries.push(entry);
  }
  const dropped = tail === '' ? null : `dropped ${Buffer.byteLength(tail)} bytes at the end of ${file}: a record cut short by a torn write`;
  return { entries, dropped };
}

function isEntry<T>(v: unknown, isBody: (v: unknown) => v is T): v is Entry<T> {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return Number.isSafeInteger(o.seq) && (o.seq as number) >= 1 && isBody(o.body);
}

/**
 * What a snapshot's and a journal's texts hold (null: no such file), `names` naming them in
 * messages; the last record's number; and the journal's text to write back when a torn tail was
 * dropped or records the snapshot holds were skipped (null when it stays as it is).
 */
export function recoverTexts<S, T>(
  texts: { readonly snapshot: string | null; readonly journal: string | null },
  names: { readonly snapshot: string; readonly journal: string },
  isSnapshot: (v: unknown) => v is S,
  isBody: (v: unknown) => v is T,
): { recovered: Recovered<S, T>; last: number; rewritten: string | null } {
  let snapshot: Entry<S> | null = null;
  if (texts.snapshot !== null) {
    const value = decodeLine(texts.snapshot.replace(/\n$/, ''));
    if (!isEntry(value, isSnapshot)) throw new StateDirError(`${names.snapshot} is damaged (its checksum or content is wrong): refusing to start`);
    snapshot = value;
  }
  const journal = texts.journal !== null ? parseJournal(texts.journal, names.journal, isBody) : { entries: [], dropped: null };
  const base = snapshot?.seq ?? 0;
  // Records the snapshot already holds are skipped (a crash between the snapshot and the journal's reset).
  const entries = journal.entries.filter((e) => e.seq > base);
  if (entries.length > 0 && entries[0]!.seq !== base + 1) {
    throw new StateDirError(`${names.journal} starts at record ${entries[0]!.seq}, but ${names.snapshot} ends at ${base}: refusing to start`);
  }
  const last = entries.length > 0 ? entries[entries.length - 1]!.seq : base;
  const rewritten = journal.dropped !== null || journal.entries.length !== entries.length ? entries.map((e) => encodeLine(e)).join('') : null;
  return { recovered: { snapshot, entries, dropped: journal.dropped }, last, rewritten };
}

/** A state directory: its snapshot and its journal. */
export class StateDir<S, T> {
  private fd: number;
  private seq: number;
  /** The journal's size: the manager compacts when it has grown enough (durability.ts). */
  private bytes: number;

  private constructor(
    readonly dir: string,
    seq: number,
    bytes: number,
  ) {
    this.seq = seq;
    this.bytes = bytes;
    this.fd = openSync(path.join(dir, JOURNAL_FILE), 'a', FILE_MODE);
  }

  private state: 'open' | 'closed' = 'open';

  /**
   * Opens (creating it when absent) the directory and reads what it holds. Throws StateDirError
   * with a one-line message naming the file when it cannot be used.
   */
  static open<S, T>(dir: string, isSnapshot: (v: unknown) => v is S, isBody: (v: unknown) => v is T): { store: StateDir<S, T>; recovered: Recovered<S, T> } {
    try {
      makeDir(dir);
      if (!statSync(dir).isDirectory()) throw new StateDirError(`${dir} is not a directory`);
    } catch (err) {
      if (err instanceof StateDirError) throw err;
      throw new StateDirError(`cannot use ${dir} as the state directory: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    lock(dir);
    try {
      return StateDir.read(dir, isSnapshot, isBody);
    } catch (err) {
      unlock(dir);
      if (err instanceof StateDirError) throw err;
      const e = err as NodeJS.ErrnoException;
      throw new StateDirError(`cannot use ${e.path ?? dir} in the state directory: ${e.code ?? String(err)}`);
    }
  }

  private static read<S, T>(dir: string, isSnapshot: (v: unknown) => v is S, isBody: (v: unknown) => v is T): { store: StateDir<S, T>; recovered: Recovered<S, T> } {
    const snapshotFile = path.join(dir, SNAPSHOT_FILE);
    const journalFile = path.join(dir, JOURNAL_FILE);
    const texts = {
      snapshot: existsSync(snapshotFile) ? readText(snapshotFile) : null,
      journal: existsSync(journalFile) ? readText(journalFile) : null,
    };
    const { recovered, last, rewritten } = recoverTexts(texts, { snapshot: snapshotFile, journal: journalFile }, isSnapshot, isBody);
    if (rewritten !== null) writeWhole(journalFile, rewritten);
    for (const file of [journalFile, snapshotFile]) if (existsSync(file)) chmodSync(file, FILE_MODE);
    const bytes = Buffer.byteLength(rewritten ?? texts.journal ?? '');
    return { store: new StateDir<S, T>(dir, last, bytes), recovered };
  }

  /**
   * Appends a record and waits until the disk has it. Returns its sequence number. Throws
   * StateDirError when the disk refuses (full, read-only, failing).
   */
  append(body: T): number {
    const seq = this.seq + 1;
    const journalFile = path.join(this.dir, JOURNAL_FILE);
    const line = encodeLine({ seq, body });
    writing(journalFile, () => {
      writeAll(this.fd, line);
      fsyncSync(this.fd);
    });
    this.seq = seq;
    this.bytes += Buffer.byteLength(line);
    return seq;
  }

  /** Replaces the snapshot with `state` (as of the last record) and starts the journal again empty. */
  compact(state: S): void {
    const file = path.join(this.dir, SNAPSHOT_FILE);
    writing(file, () => writeWhole(file, encodeLine({ seq: this.seq, body: state })));
    const journalFile = path.join(this.dir, JOURNAL_FILE);
    writing(journalFile, () => {
      closeSync(this.fd);
      writeWhole(journalFile, '');
      this.fd = openSync(journalFile, 'a', FILE_MODE);
    });
    this.bytes = 0;
  }

  get lastSeq(): number {
    return this.seq;
  }

  get journalBytes(): number {
    return this.bytes;
  }

  /** Closes the journal and frees the directory for the next manager. Safe twice. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    closeSync(this.fd);
    unlock(this.dir);
  }
}

/**
 * Creates a directory and its missing parents. Not mkdirSync's `recursive`, which on Node 20 spins
 * for ever on a path where the kernel refuses to create one (under /proc).
 */
function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: DIR_MODE });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || path.dirname(dir) === dir) throw err;
    makeDir(path.dirname(dir));
    mkdirSync(dir, { mode: DIR_MODE });
  }
}

/** Runs a write; an error becomes a StateDirError naming the file. */
function writing(file: string, write: () => void): void {
  try {
    write();
  } catch (err) {
    throw new StateDirError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/**
 * Takes the directory for this process: its lock file names the pid. A lock whose process is gone
 * (a manager killed) is taken over; one whose process lives is refused.
 */
function lock(dir: string): void {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: FILE_MODE });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new StateDirError(`cannot lock ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const pid = Number.parseInt(readText(file), 10);
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new StateDirError(`${dir} is in use by another manager (pid ${pid}, named in ${file})`);
    }
    try {
      unlinkSync(file);
    } catch {
      // Taken by another starting manager meanwhile: the next attempt says so.
    }
  }
  throw new StateDirError(`cannot lock ${file}: another manager took it at the same time`);
}

function unlock(dir: string): void {
  try {
    unlinkSync(path.join(dir, LOCK_FILE));
  } catch {
    // Gone already.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new StateDirError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
}

/** Writes a file whole or not at all: a temporary file, fsynced, renamed over it, and the directory fsynced. */
function writeWhole(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', FILE_MODE);
  try {
    writeAll(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dirFd = openSync(path.dirname(file), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

