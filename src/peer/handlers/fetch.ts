// fetch (issue 12): the leader of a rebuild with R ≥ 2 copies collects the ring's records from
// its members instead of reading a file. A member answers each page of the records of its held
// build (held-build.ts: the last whole build, which the rebuild replaces), its own and its copies
// alike, packed like a store. Pages are planned once per held build, so a retransmitted fetch
// gets the same page again; a fetch changes nothing, so it needs no reply cache.
import { encode, encodePackedFetchResult } from '../../wire/codec.js';
import type { FetchRequest, FetchResult } from '../../wire/messages.js';
import { packedLine } from '../../wire/packed-records.js';
import type { Address } from '../../transport/udp-socket.js';
import type { PeerNode } from '../node.js';
import { pagePlan, type PackedBatch } from '../procedures/store-batches.js';
import { heldTables, type HeldBuild } from '../held-build.js';

export function onFetch(node: PeerNode, msg: FetchRequest, from: Address): void {
  const r = node.ring;
  // Only the leader of the build this node has taken asks: a fetch of another build is stale.
  if (r === null || r.epoch !== msg.epoch || r.ring[0]?.name !== msg.origin.name) {
    node.dropNote('stale fetches', `fetch from ${msg.origin.name} for a build this node is not in; dropped`);
    return;
  }
  const held = node.held;
  const batch = held === null ? undefined : (pagesOf(node, held).at(msg.page) as PackedBatch | undefined);
  // The last page says so; a page past the end (a window of fetches asks ahead) is empty.
  const end = held === null || batch === undefined || (held.pages!.complete && held.pages!.at(msg.page + 1) === undefined);
  const answer: FetchResult = { type: 'fetch-result', rid: msg.rid, page: msg.page, end, records: [], ...(batch === undefined ? {} : { count: batch.count }) };
  const bytes = batch === undefined ? encode(answer) : encodePackedFetchResult(msg.rid, msg.page, end, batch.count, batch.packed);
  node.p.send(from, answer, bytes);
}

/** The held build's records (its own, its copies, then its later builds') as pages, planned when first asked for. */
function pagesOf(node: PeerNode, held: HeldBuild): NonNullable<HeldBuild['pages']> {
  if (held.pages === undefined) {
    const lines: string[] = [];
    for (const table of heldTables(held)) for (const rec of table.lines()) lines.push(packedLine(rec.pos, rec.line));
    held.pages = pagePlan(lines, node.batchBytes);
  }
  return held.pages;
}
