// Peak resident memory (VmHWM of /proc/<pid>/status) of real processes: each run starts a fresh
// manager and 6 peer processes, sets up 1996 with n = 5 (each node holds about a fifth), reads the
// peaks of the members and of the leader (which also read the whole file), then runs queries, a
// leave and a join, and reads the manager's peak.
import { queryCases, yearFacts } from './data.js';
import { withProcCluster } from './process-cluster.js';
import { peakRssMB } from './proc-status.js';
import { latencyRun } from './query-scenarios.js';
import { errorText, TARGETS, timedSetup, teardown, type BenchContext } from './runner.js';
import { expectOk } from './process-cluster.js';
import { ringAfterLeave } from './setup-scenarios.js';
import { max } from './stats.js';

export const RSS_ROWS = {
  member: 'rss-peak-peer-1996-n5-member',
  leader: 'rss-peak-peer-1996-n5-leader',
  manager: 'rss-peak-manager-1996-n5',
} as const;

function mustRead(pid: number | undefined, who: string): number {
  const mb = peakRssMB(pid);
  if (mb === null) throw new Error(`cannot read VmHWM of ${who} (pid ${pid}) in /proc/${pid}/status`);
  return mb;
}

export async function memoryScenario(ctx: BenchContext): Promise<void> {
  const { reporter } = ctx;
  const rows = [
    [RSS_ROWS.member, TARGETS.peerRssMB],
    [RSS_ROWS.leader, TARGETS.peerRssMB],
    [RSS_ROWS.manager, undefined],
  ] as const;
  const skipAll = (why: string) => rows.forEach(([name, target]) => reporter.skipped(name, 'MB', why, target));
  if (!ctx.hasYear('1996')) return skipAll(`details-1996.csv not in ${ctx.dataDir}`);
  if (peakRssMB(process.pid) === null) return skipAll('/proc/<pid>/status has no VmHWM on this system');
  const facts = yearFacts(ctx.dataDir, '1996');
  const member: number[] = [];
  const leader: number[] = [];
  const manager: number[] = [];
  const queries = ctx.opts.quick ? 100 : 500;
  try {
    for (let run = 1; run <= ctx.opts.runs; run++) {
      await withProcCluster({ peers: 6, dataDir: ctx.dataDir, ports: ctx.ports }, async (c) => {
        const { ring } = await timedSetup(c, 'peera', 5, facts);
        const members = ring.slice(1).map((n) => mustRead(c.pid(n), n));
        const lead = mustRead(c.pid(ring[0]!), ring[0]!);
        const free = (await c.freeNames())[0]!;
        await latencyRun(c, free, queryCases(facts, queries, 77 + run));
        const leaver = ring[2]!;
        expectOk((await c.run(leaver, `leave-dht ${leaver}`)).result, `leave-dht ${leaver}`);
        expectOk((await c.run(leaver, `join-dht ${leaver}`)).result, `join-dht ${leaver}`);
        const mgr = mustRead(c.manager.proc.child.pid, 'manager');
        await teardown(c, ringAfterLeave(ring, leaver)[0]!);
        member.push(max(members));
        leader.push(lead);
        manager.push(mgr);
        reporter.detail(
          `rss run ${run}/${ctx.opts.runs}: members ${members.map((m) => m.toFixed(1)).join(' / ')} MB, leader ${lead.toFixed(1)} MB (after setup); manager ${mgr.toFixed(1)} MB (after setup, ${queries} queries, leave, join)`,
        );
      });
    }
    reporter.runs(RSS_ROWS.member, 'MB', member, TARGETS.peerRssMB, 'VmHWM, largest of the 4 members, fresh processes each run');
    reporter.runs(RSS_ROWS.leader, 'MB', leader, TARGETS.peerRssMB, 'VmHWM; the leader also read the whole file');
    reporter.runs(RSS_ROWS.manager, 'MB', manager, undefined, 'VmHWM after setup, queries, leave, join');
  } catch (err) {
    rows.forEach(([name, target]) => reporter.failed(name, 'MB', `${errorText(err)} (after ${member.length} runs)`, target));
  }
}
