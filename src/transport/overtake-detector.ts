// Fast retransmit for pipelined requests on one path (TCP's idea): when requests sent later along
// the same path have been answered while an earlier one has not, the earlier one was very likely
// lost, and waiting for its timer would only idle the window. Keys name a path (for stores: the
// owner); within a key, requests are kept in the order they were first sent.
import { FAST_RETRANSMIT_OVERTAKES } from './timing.js';

interface Entry {
  readonly rid: string;
  overtaken: number;
}

export class OvertakeDetector {
  private readonly paths = new Map<number | string, Entry[]>();

  /** A request first sent on `path`. */
  sent(path: number | string, rid: string): void {
    let list = this.paths.get(path);
    if (!list) this.paths.set(path, (list = []));
    list.push({ rid, overtaken: 0 });
  }

  /**
   * The request `rid` on `path` is finished (answered or given up). Returns the rids of earlier
   * requests on the path that have now been overtaken FAST_RETRANSMIT_OVERTAKES times: resend
   * them now. A resent request goes to the end of the path's order with its count at zero, as if
   * first sent now: only requests sent after the resend can overtake it, and those sent before it
   * — answered late, but not later than it — cannot make it look lost again.
   */
  finished(path: number | string, rid: string): string[] {
    const list = this.paths.get(path);
    if (!list) return [];
    const i = list.findIndex((e) => e.rid === rid);
    if (i < 0) return [];
    list.splice(i, 1);
    const resent: Entry[] = [];
    const kept: Entry[] = [];
    for (let j = 0; j < i; j++) {
      const e = list[j]!;
      if (++e.overtaken >= FAST_RETRANSMIT_OVERTAKES) {
        e.overtaken = 0;
        resent.push(e);
      } else kept.push(e);
    }
    if (resent.length > 0) this.paths.set(path, [...kept, ...list.slice(i), ...resent]);
    return resent.map((e) => e.rid);
  }
}
