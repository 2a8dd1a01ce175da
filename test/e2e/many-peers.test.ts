// Many peers in one process (src/cluster/local-cluster.ts, as the scale benchmark runs them), over
// real UDP on 127.0.0.1, ports 28000-28999: a ring of 400 members, whose setup-dht reply has no
// room for every member's grant (issue 5), so the leader fetches the rest with dht-grants; every
// record lands on its owner (SPEC §9's formula, computed here from the file), queries answer from
// the file, and the ring tears down. Data: a synthetic year that stormdht generates.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LocalCluster } from '../../src/cluster/local-cluster.js';
import { parseYearText, type YearData } from '../../src/data/csv.js';
import { generateYearText } from '../../src/data/synthetic.js';

const N = 400;
const BASE_PORT = 28_000;

describe(`a ring of ${N} peers in one process`, () => {
  let dir = '';
  let data: YearData;
  let cluster: LocalCluster;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stormdht-many-'));
    const text = generateYearText('1997', { records: 3_000 });
    writeFileSync(path.join(dir, 'details-1997.csv'), text);
    const parsed = parseYearText(text, 'details-1997.csv', '1997');
    assert.ok(parsed.ok);
    data = parsed.data;
    cluster = await LocalCluster.start({ peers: N + 1, dataDir: dir, basePort: BASE_PORT, peerOptions: { placement: 'direct' } });
  });

  after(async () => {
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('setup-dht fetches the grants its reply had no room for; every record sits on its owner', { timeout: 120_000 }, async () => {
    const leader = cluster.names[0]!;
    const traces: string[] = [];
    const node = cluster.node(leader);
    const emit = node.emit.bind(node);
    node.emit = (e) => {
      if (e.kind === 'trace' && e.to === 'manager') traces.push(e.text);
      emit(e);
    };
    const r = await cluster.run(leader, `setup-dht ${leader} ${N} 1997`);
    assert.equal(r.ok, true, r.error);
    const pages = traces.filter((t) => t.startsWith(`dht-grants ${leader} `));
    assert.ok(pages.length >= 1, `the leader fetched grants: ${traces.join(' | ')}`);
    // SPEC §9: pos = event id mod s, owner = pos mod n, counted here from the file itself.
    const expected = new Array<number>(N).fill(0);
    for (const rec of data.records) expected[(rec.eventId % data.s) % N]!++;
    assert.deepEqual(r.data?.recordsPerNode, expected);
    const ring = (r.data?.ring as Array<{ name: string }>).map((t) => t.name);
    const held = ring.map((name) => cluster.node(name).status().records);
    assert.deepEqual(held, expected, 'each member holds exactly its records');
    for (const name of ring) assert.equal(cluster.node(name).status().ringSize, N);
  });

  test('a Free peer queries events of the file and one that is not there', { timeout: 60_000 }, async () => {
    const free = cluster.freePeer()!;
    for (const rec of [data.records[0]!, data.records[1_234]!, data.records.at(-1)!]) {
      const q = await cluster.run(free, `query-dht ${free} ${rec.eventId}`);
      assert.equal(q.ok, true, q.error);
      assert.equal(q.data?.found, true);
      assert.equal((q.data?.record as Record<string, string>).event_id, String(rec.eventId));
    }
    const absent = await cluster.run(free, 'query-dht ' + free + ' 1');
    assert.equal(absent.data?.found, false);
  });

  test('the leader tears the ring down: every member Free and empty', { timeout: 60_000 }, async () => {
    const leader = cluster.names[0]!;
    const r = await cluster.run(leader, `teardown-dht ${leader}`);
    assert.equal(r.ok, true, r.error);
    for (const name of cluster.names) {
      const st = cluster.node(name).status();
      assert.deepEqual([st.state, st.records], ['Free', 0], name);
    }
  });
});
