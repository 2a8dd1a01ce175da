// The build a rebuild replaces (issue 12). With R ≥ 2 copies a ring is rebuilt from its members'
// own records, not from the year's file: when a new build starts (a set-id or reset-id of a new
// epoch, a teardown before a leave's or join's renumbering, a repair), a node whose current build
// was counted (its table is whole) keeps that build's tables aside as its held build, instead of
// emptying them. The leader of the rebuild collects the records from the held builds (fetch), and
// queries that reach a node whose new build is not whole yet are answered from the held build. A
// node drops its held build when the new build's count passes it: every table of the new build is
// whole then. A build that was never counted is not kept: the held build stays the last whole one.
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
    node.table.clear();
    node.copies.clear();
  }
  node.countedEpoch = null;
}

/** The tables of the build with `epoch`, when this node holds it whole: its current one, or its held one. */
export function wholeBuild(node: PeerNode, epoch: string): { ring: RingState; table: LocalTable; copies: LocalTable } | null {
  const r = node.ring;
  if (r !== null && r.epoch === epoch && node.countedEpoch === epoch) return { ring: r, table: node.table, copies: node.copies };
  const held = node.held;
  return held !== null && held.epoch === epoch ? held : null;
}
