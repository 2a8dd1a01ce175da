// The checks on what one command returned (SPEC §14): exactly one well-formed result, a refusal
// for every command no state can accept, and for a query an answer that agrees with the file.
import { recordToObject } from '../data/fields.js';
import { ownerOf, positionOf } from '../data/hashing.js';
import type { Dht } from '../manager/state.js';
import type { CommandResult } from '../peer/events.js';
import { notFoundMessage } from '../peer/procedures/query.js';
import { chainOf } from '../peer/ring-state.js';
import type { PlannedCommand } from './command-generator.js';
import { rowOf, type SimData } from './sim-data.js';

/** One command of a step, as it ran. */
export interface StepCommand {
  readonly planned: PlannedCommand;
  /** Virtual time it started at; null until then. */
  startedAt: number | null;
  /** Virtual time it settled at; null until then. */
  settledAt: number | null;
  /** Its settled promise: the result, or what it was rejected with (a bug: it must not reject). */
  outcome: { readonly result: CommandResult } | { readonly thrown: unknown } | null;
  /** Its peer crashed before it settled: the result says nothing about the protocol. */
  crashed: boolean;
}

/** What a query's answer can be held to. */
export interface QueryContext {
  /** The DHT when the step started. */
  readonly dht: Dht | null;
  /**
   * The last check found every record in place, nothing else ran in the step and the DHT did not
   * change while the query ran: then the path must end at the owner, and the record or D4's
   * sentence must be the DHT's year's.
   */
  readonly exact: boolean;
  /**
   * The years of the DHTs the manager had while the query ran. A ring holds only its year's rows,
   * so a record found is of one of them; and when there was one year only, a "not found" is a lie
   * for any row of its file: a node whose table is not whole yet (a build or a repair is running)
   * must answer an error, never "not found".
   */
  readonly years: ReadonlySet<string>;
  /** Faults or a stop in the step: a request may run out of its budget (and a probe fail so). */
  readonly networkMayFail?: boolean;
  /** The manager gave the DHT up while the query ran (a ring below 3, a failed procedure), or was tearing it down. */
  readonly dhtGone?: boolean;
  /** A leave or join ran in the step: a member's death may have interrupted its renumbering. */
  readonly rebuilds?: boolean;
  /** The command's own peer was stopped in the step (it may have been evicted meanwhile). */
  readonly querierStopped?: boolean;
  /**
   * The manager's process was down at some moment while the command ran (issue 13): a request to
   * it may have run out of its retry budget, which no state can prevent.
   */
  readonly managerDown?: boolean;
}

/**
 * Why a probe (R ≥ 2, fewer than R members down) may fail: the manager is busy with a procedure
 * other than a repair (it answers queries during one), or the DHT is gone. Nothing else, but a
 * request the network defeated when it has faults.
 */
const PROBE_EXCUSE = /^busy: waiting for (dht-rebuilt|dht-complete|teardown-complete) |^no DHT exists/;
const NETWORK_DEFEAT = /no response from /;
/** A request to the manager ran out of its budget (the manager was down for longer, issue 13). */
export const MANAGER_SILENT = /no response from manager/;
/**
 * A leave or join that a death interrupted leaves members on the ring before it, or between two
 * renumberings, until the repair reaches them: a query they route may end at the leaver (no
 * longer in a DHT) or run out of ids. And the manager resets the joiner or leaver whose procedure
 * the repair replaced, which withdraws every request it has in flight: a query it started once
 * its command had ended too (a reset that a crash of the manager made late, say). An error, never
 * a wrong answer; the repair then fixes it.
 */
const INTERRUPTED_REBUILD = /^not in a DHT$|^the ring changed during the query$|cannot reach a copy of event \d+ yet|^the manager reset the DHT: /;

/**
 * The count check of D7 failed: records were acknowledged and are not held. With R ≥ 2 copies
 * (issue 12) the same goes for copies: a node counted other copies than the nodes before it own.
 */
const LOST_RECORDS = /stored counts sum to |counted \d+ copies, but /;
/** A query or rebuild that says records lost every copy (issue 12). */
const LOST_EVERY_COPY = /lost every copy/;

/** Violations of one settled command's result. */
export function resultViolations(cmd: StepCommand, query: QueryContext, data: SimData): string[] {
  const { tokens, expect } = cmd.planned;
  if (cmd.outcome === null) return ['the command never settled'];
  if ('thrown' in cmd.outcome) return [`the command threw instead of returning a result: ${String(cmd.outcome.thrown)}`];
  const result = cmd.outcome.result;
  const out: string[] = [];
  if (result.command !== (tokens[0] ?? '')) out.push(`the result names command "${result.command}"`);
  if (result.ok && result.error !== undefined) out.push(`an ok result carries an error: ${result.error}`);
  if (!result.ok && !(typeof result.error === 'string' && result.error !== '')) out.push('a failed result gives no reason');
  if (cmd.crashed) return out;
  if (expect === 'fail' && result.ok) out.push('a command no state may accept succeeded');
  const managerAway = query.managerDown === true && MANAGER_SILENT.test(result.error ?? '');
  if (expect === 'ok' && !result.ok && !managerAway) out.push(`a command every state accepts failed: ${result.error}`);
  // The network may defeat a build, which then ends with "no response"; only a process can lose
  // records that were acknowledged, and a torn-down DHT must not hide that.
  if (!result.ok && LOST_RECORDS.test(result.error ?? '')) out.push(`a build lost acknowledged records: ${result.error}`);
  // With R ≥ 2 copies (issue 12) a run never takes R members out of the ring at once: no record may
  // lose every copy, and no answer or rebuild may say one did.
  if (LOST_EVERY_COPY.test(result.error ?? '')) out.push(`the command says records lost every copy: ${result.error}`);
  const lostRecords = result.data?.lostRecords;
  if (typeof lostRecords === 'number' && lostRecords > 0) out.push(`the rebuild reports ${lostRecords} records that lost every copy`);
  if (tokens[0] === 'query-dht' && result.ok) out.push(...queryViolations(tokens, result, query, data));
  if (cmd.planned.probe === true && !result.ok && query.dhtGone !== true && query.querierStopped !== true) {
    const error = result.error ?? '';
    const excused = PROBE_EXCUSE.test(error) || (query.networkMayFail === true && NETWORK_DEFEAT.test(error)) || (query.rebuilds === true && INTERRUPTED_REBUILD.test(error));
    if (!excused) {
      out.push(`a query with fewer than R members down failed: ${error}`);
    }
  }
  if (cmd.planned.probe === true && result.ok && result.data?.found !== true) out.push(`a query for a record of the DHT with fewer than R members down answered not found`);
  return out;
}

/** A successful query: the file's row, or D4's sentence; a path of distinct ids ending at the owner. */
function queryViolations(tokens: readonly string[], result: CommandResult, ctx: QueryContext, data: SimData): string[] {
  const d = result.data ?? {};
  const eventId = d.eventId;
  const path = d.path;
  if (typeof eventId !== 'number' || typeof d.found !== 'boolean' || !Array.isArray(path)) {
    return [`the query's result lacks eventId, found or path: ${JSON.stringify(d)}`];
  }
  const out: string[] = [];
  if (tokens[2] !== undefined && Number(tokens[2]) !== eventId) out.push(`asked for event ${tokens[2]}, answered about ${eventId}`);
  const row = rowOf(data, eventId);
  const yearOfRow = row?.fields[2];
  const dhtYear = ctx.dht?.year;
  const years = [...ctx.years].join(', ') || 'none';
  if (d.found) {
    if (row === undefined) out.push(`found event ${eventId}, which is in no file`);
    else if (JSON.stringify(d.record) !== JSON.stringify(recordToObject(row.fields))) out.push(`event ${eventId} came back as ${JSON.stringify(d.record)}`);
    else if (ctx.exact && yearOfRow !== dhtYear) out.push(`event ${eventId} of ${yearOfRow} found in the DHT of ${dhtYear}`);
    else if (!ctx.years.has(yearOfRow!)) out.push(`event ${eventId} of ${yearOfRow} found while the DHT was of ${years}`);
  } else {
    if (d.message !== notFoundMessage(eventId)) out.push(`not-found message is ${JSON.stringify(d.message)}`);
    if (row !== undefined && ctx.years.size === 1 && ctx.years.has(yearOfRow!)) {
      out.push(`event ${eventId} of details-${yearOfRow}.csv answered not found, and every DHT the manager had during the query was of ${yearOfRow}`);
    }
  }
  const ids = path as unknown[];
  if (ids.length === 0 || !ids.every((x) => Number.isInteger(x)) || new Set(ids).size !== ids.length) {
    out.push(`the path [${ids.join(', ')}] is not a non-empty list of distinct ids`);
  } else if (ctx.exact && ctx.dht !== null) {
    const n = ctx.dht.members.length;
    const s = data.years.get(ctx.dht.year)!.data.s;
    const owner = ownerOf(positionOf(eventId, s), n);
    if (ids.some((x) => (x as number) >= n)) out.push(`the path [${ids.join(', ')}] names ids outside 0…${n - 1}`);
    // With R ≥ 2 copies (issue 12) a node of the owner's chain answers for an owner that is
    // suspected or silent (a lost datagram is enough). It may be one the query passed before,
    // which a path of distinct ids does not name twice: the path holds a node of the chain.
    const chain = chainOf({ replicas: ctx.dht.replicas ?? 1, n }, owner);
    if (chain.length === 1 && ids[ids.length - 1] !== owner) out.push(`the path [${ids.join(', ')}] does not end at the owner ${owner}`);
    if (chain.length > 1 && !ids.some((x) => chain.includes(x as number))) {
      out.push(`the path [${ids.join(', ')}] passes neither the owner ${owner} nor a copy of its records (nodes ${chain.join(', ')})`);
    }
  }
  return out;
}

/** One line for the step log: ok or the reason, with the payload that matters for the command. */
export function describeResult(cmd: StepCommand): string {
  const o = cmd.outcome;
  const crashed = cmd.crashed ? ' (crashed)' : '';
  if (o === null) return `never settled${crashed}`;
  if ('thrown' in o) return `threw ${String(o.thrown)}${crashed}`;
  const r = o.result;
  const d = r.data ?? {};
  let detail = '';
  if (r.command === 'query-dht' && typeof d.eventId === 'number') {
    detail = ` ${d.found === true ? 'found' : 'not found'} ${d.eventId} path [${(d.path as number[] | undefined)?.join(',') ?? ''}]`;
  } else if (Array.isArray(d.recordsPerNode)) {
    detail = ` counts [${d.recordsPerNode.join(',')}]`;
  }
  return `${r.ok ? 'ok' : `FAIL ${r.error}`}${detail}${crashed}`;
}
