// Standby (procedures/standby.ts), over real UDP in one process (ports 28600-28699): after a
// setup every member has packed the batches it would send as the leader of a ring of n − 1, and
// the leader those of a ring of n + 1; a leave then rebuilds from them and every record is stored.
// Data: a synthetic year that stormdht generates.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LocalCluster } from '../../src/cluster/local-cluster.js';
import { generateYearText } from '../../src/data/synthetic.js';
import type { PeerNode } from '../../src/peer/node.js';
import { ownerBatches } from '../../src/peer/procedures/store-batches.js';

const YEAR = '1997';
const RECORDS = 4_000;

/** The plans of the rebuild `node` would lead over a ring of n (owners 1…n−1), as distribute asks for them. */
function rebuildPlans(node: PeerNode, n: number) {
  const loaded = node.loadYear(YEAR);
  assert.ok(loaded.ok);
  return Array.from({ length: n - 1 }, (_, i) => ownerBatches(loaded.data, n, i + 1, node.self!, node.ring!.epoch!, node.batchBytes, 'deflate'));
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited > 10_000) assert.fail(`not within 10 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('standby', () => {
  let dir = '';
  let cluster: LocalCluster;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stormdht-standby-'));
    writeFileSync(path.join(dir, `details-${YEAR}.csv`), generateYearText(YEAR, { records: RECORDS }));
    cluster = await LocalCluster.start({ peers: 5, dataDir: dir, basePort: 28_600, peerOptions: { standby: true } });
  });

  after(async () => {
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('after setup every node has packed the rebuild it would lead next; a leave then stores every record', { timeout: 60_000 }, async () => {
    const [leader, ...rest] = cluster.names;
    const setup = await cluster.run(leader!, `setup-dht ${leader} 5 ${YEAR}`);
    assert.equal(setup.ok, true, setup.error);
    assert.equal(rest.length, 4);
    const nodes = cluster.names.map((name) => cluster.node(name));
    // Members pack for a ring of 4 (led by themselves), the leader for a ring of 6.
    await until('every node has packed its standby plans', () =>
      nodes.every((node) => rebuildPlans(node, node.ring!.id === 0 ? 6 : 4).every((plan) => plan.complete)),
    );
    // Not every plan is packed by asking: a plan no one asked for is not.
    assert.equal(rebuildPlans(nodes[1]!, 3).every((plan) => plan.complete), false);

    const leaver = nodes.find((node) => node.ring!.id === 2)!;
    const left = await cluster.run(leaver.name!, `leave-dht ${leaver.name}`);
    assert.equal(left.ok, true, left.error);
    assert.equal((left.data?.recordsPerNode as number[]).reduce((a, b) => a + b, 0), RECORDS);
    assert.equal(nodes.filter((node) => node.ring !== null).reduce((sum, node) => sum + node.table.size, 0), RECORDS);
  });
});
