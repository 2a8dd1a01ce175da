// Standby (not in SPEC): after a build, a node packs, while the ring is idle, the batches it would
// send if it had to lead the next rebuild. A leave makes the leaver's right neighbour the new
// leader (SPEC §6.5), which must read the year and pack every batch before its rebuild is done; a
// join makes the leader distribute over n + 1. Packed ahead, a rebuild only sends. So a member
// packs for a ring of n − 1 with itself as node 0, and the leader for a ring of n + 1. The plans
// are kept with the year (store-batches.ts): a node packs a given year for a given ring size once.
import type { PeerNode } from '../node.js';
import { ownerBatches, type BatchPlan } from './store-batches.js';

/** Batches packed per turn of the event loop: about a millisecond. */
const BATCHES_PER_TURN = 8;
/**
 * The ring must have been quiet this long (no query through this node) before standby does any
 * work: queries come first (issue 14). Right after a setup, the first queries would otherwise wait
 * behind the year's parse (about 30 ms for 1996) and the packing.
 */
export const STANDBY_QUIET_MS = 250;

/** Starts packing, in the background, the batches of the rebuild this node would lead next. */
export function prepareStandby(node: PeerNode): void {
  const r = node.ring;
  const self = node.self;
  // With R ≥ 2 copies a rebuild takes its records from the ring, not from the file (issue 12).
  if (!node.standby || r === null || r.epoch === null || self === null || node.storeEncoding !== 'deflate' || r.replicas >= 2) return;
  const n = r.id === 0 ? r.n + 1 : r.n - 1;
  if (n < 2) return;
  const epoch = r.epoch;
  // The build that just ended counts as activity: its first queries come right after it.
  node.lastQueryAt = Math.max(node.lastQueryAt, node.clock.now());
  whenQuiet(node, () => {
    if (node.ring?.epoch !== epoch) return;
    // Read here, not during the build: the year's parse (about 30 ms for 1996) waits for an idle ring.
    const loaded = node.loadYear(r.year);
    if (!loaded.ok) return;
    const plans: BatchPlan[] = [];
    for (let owner = 1; owner < n; owner++) plans.push(ownerBatches(loaded.data, n, owner, self, epoch, node.batchBytes, 'deflate'));
    let owner = 0;
    let k = 0;
    const step = () => {
      // A new build (a rebuild begins) stops it: the rebuild packs what is left as it goes.
      if (node.ring?.epoch !== epoch) return;
      for (let done = 0; done < BATCHES_PER_TURN; done++) {
        if (plans[owner]!.at(k) !== undefined) k++;
        else if (++owner < plans.length) k = 0;
        else return;
      }
      whenQuiet(node, step);
    };
    step();
  });
}

/**
 * Runs `fn` once no query has passed this node for STANDBY_QUIET_MS (at the next turn if none
 * has). Waits in whole milliseconds, so that time always moves between two looks (a virtual clock
 * would otherwise fire a timer of a rounding error's length at the same instant, for ever).
 */
function whenQuiet(node: PeerNode, fn: () => void): void {
  const wait = node.lastQueryAt + STANDBY_QUIET_MS - node.clock.now();
  if (wait <= 0) node.clock.setTimer(0, fn);
  else node.clock.setTimer(Math.ceil(wait), () => whenQuiet(node, fn));
}
