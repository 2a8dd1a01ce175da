// setup-dht of 1996 with n = 5 while every process injects faults into every datagram it sends
// (--faults): the time, and how many datagrams had to be sent again — stores (summed from the
// peers' store-traffic summaries) and every other request (their "retransmitting" notes). Fresh
// processes each run, so that no round-trip estimate carries over; each process has its own fault
// seed, derived from the run, so a run repeats its faults.
import type { JsonLine } from '../src/cli/processes.js';
import { yearFacts } from './data.js';
import { storeTraffic } from './modes-scenario.js';
import { withProcCluster, type ProcCluster } from './process-cluster.js';
import { errorText, plan, repeat, timedSetup, type BenchContext } from './runner.js';

/** The fault settings measured, by row label. */
export const FAULT_LEVELS: ReadonlyArray<readonly [string, string]> = [
  ['loss0', ''],
  ['loss10', 'loss=0.1'],
  ['loss30', 'loss=0.3'],
  ['loss30-dup10-reorder20', 'loss=0.3,dup=0.1,reorder=0.2'],
];

const N = 5;

export async function lossyScenario(ctx: BenchContext): Promise<void> {
  const { reporter } = ctx;
  for (const [label, spec] of FAULT_LEVELS) {
    const name = `setup-1996-n5-${label}`;
    if (!ctx.hasYear('1996')) {
      reporter.skipped(name, 's', `details-1996.csv not in ${ctx.dataDir}`);
      continue;
    }
    const facts = yearFacts(ctx.dataDir, '1996');
    const stores: number[] = [];
    const others: number[] = [];
    try {
      const times = await repeat(reporter, name, 's', plan(ctx), async (run) => {
        const faults = (process: number) => (spec === '' ? [] : ['--faults', `${spec},seed=${1000 * (run + 1) + process}`]);
        return withProcCluster({ peers: N, dataDir: ctx.dataDir, ports: ctx.ports, managerArgs: faults(0), peerArgs: (i) => faults(i + 1) }, async (c) => {
          c.forgetLines();
          const { seconds } = await timedSetup(c, 'peera', N, facts);
          const counted = retransmissions(c);
          stores.push(counted.stores);
          others.push(counted.others);
          reporter.detail(`${name}: ${counted.stores} stores and ${counted.others} other requests retransmitted`);
          return seconds;
        });
      });
      const timed = (values: number[]) => values.slice(values.length - times.length);
      reporter.runs(name, 's', times, undefined, spec === '' ? 'no faults' : `--faults ${spec} on every process`);
      reporter.runs(`${name}-stores-resent`, 'datagrams', timed(stores), undefined, 'stores retransmitted, all peers');
      reporter.runs(`${name}-other-resent`, 'datagrams', timed(others), undefined, 'other requests retransmitted, all processes');
    } catch (err) {
      reporter.failed(name, 's', errorText(err));
    }
  }
}

/** Retransmissions since the last forgetLines(), over every peer and the manager. */
function retransmissions(c: ProcCluster): { stores: number; others: number } {
  const lines: JsonLine[] = [...c.linesByPeer().values(), c.manager.proc.lines].flat();
  const others = lines.filter((line) => typeof line.text === 'string' && line.text.startsWith('retransmitting ')).length;
  return { stores: storeTraffic(c.linesByPeer(), 'peera').retransmitted, others };
}
