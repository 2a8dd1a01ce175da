// The build a rebuild replaces (issue 12). With R ≥ 2 copies a ring is rebuilt from its members'
// own records, not from the year's file: when a new build starts (a set-id or reset-id of a new
// epoch, a teardown before a leave's or join's renumbering, a repair), a node whose current build
// was counted (its table is whole) keeps that build's tables aside as its held build, instead of
// emptying them. The leader of the rebuild collects the records from the held builds (fetch), and
// queries that reach a node whose new build is not whole yet are answered from the held build. A
// node drops its held build when the new build's count passes it: every table of the new build is
// whole then. A build that was never counted is not kept: the held build stays the last whole one.
// But its records are (`later`): a count starts only once every store of its build was
// acknowledged, so a build counted at some nodes and not at others (a death stopped the count
// round) is whole everywhere, and the nodes that counted it have dropped the build before it. A
// record whose chain moved, say from nodes 1 and 2 to a joiner and node 0, is then only in the
// uncounted tables of node 0: the repair that follows must collect those too.
import { LocalTable } from '../data/local-table.js';
import type { BatchPlan } from './procedures/store-batches.js';
import type { PeerNode } from './node.js';
import type { RingState } from './ring-state.js';

export interface HeldBuild {
  readonly epoch: string;
  readonly ring: RingState;
  /** The records this node owned in that build, and the copies it kept for the nodes before it. */
  readonly table: LocalTable;
  readonly copies: LocalTable;
  /**
   * The records of the builds begun after it that this node stored but did not see counted: a
   * rebuild collects them with the held build's own (they may be the last copies of some); a
   * query never reads them, as they may not be whole.
   */
  readonly later?: LocalTable;
  /** Its records as fetch pages, planned when first asked for (handlers/fetch.ts). */
  pages?: BatchPlan;
}

/**
 * The node's current build gives way to a new one: its tables are kept as the held build when the
 * build was whole and replicated, else emptied. Either way the node's tables are empty after.
 */
export function retireBuild(node: PeerNode): void {
  const r = node.ring;
  if (r !== null && r.epoch !== null && r.replicas >= 2 && node.countedEpoch === r.epoch) {
    node.held = { epoch: r.epoch, ring: r, table: node.table, copies: node.copies };
    node.table = new LocalTable();
    node.copies = new LocalTable();
  } else {
    // A build not counted here: its records go along with the held build's, for a rebuild only.
    if (node.held !== null && (node.table.size > 0 || node.copies.size > 0)) node.held = withLater(node.held, [node.table, node.copies]);
    node.table.clear();
    node.copies.clear();
  }
  node.countedEpoch = null;
}

/** The held build with the records of `tables` added to its later ones (and its fetch pages to plan again). */
function withLater(held: HeldBuild, tables: readonly LocalTable[]): HeldBuild {
  const later = held.later ?? new LocalTable();
  for (const table of tables) for (const rec of table.lines()) later.putLine(rec.pos, rec.eventId, rec.line);
  return { epoch: held.epoch, ring: held.ring, table: held.table, copies: held.copies, later };
}

/** The tables a rebuild collects from a held build: its own records, its copies, then the later builds' records. */
export function heldTables(held: HeldBuild): LocalTable[] {
  return held.later === undefined ? [held.table, held.copies] : [held.table, held.copies, held.later];
}

/** The tables of the build with `epoch`, when this node holds it whole: its current one, or its held one. */
export function wholeBuild(node: PeerNode, epoch: string): { ring: RingState; table: LocalTable; copies: LocalTable } | null {
  const r = node.ring;
  if (r !== null && r.epoch === epoch && node.countedEpoch === epoch) return { ring: r, table: node.table, copies: node.copies };
  const held = node.held;
  return held !== null && held.epoch === epoch ? held : null;
}
