// The live view from a cluster (issue 16): `stormdht cluster --http PORT` has its manager serve the
// view, says where in the manager's line, and the view follows what is typed at the cluster.
// Real processes over a synthetic 1950; ports 26500-26599 on 127.0.0.1 (HTTP 26500).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PipedCluster, runToEnd, syntheticData, textsOf, type TempData } from './cluster-cli.js';

const HTTP_PORT = 26500;
const PORTS = '26510-26599';

describe('cluster --http: its manager serves the live view', () => {
  let data: TempData;
  let c: PipedCluster;
  before(() => {
    data = syntheticData('1950');
    c = new PipedCluster(['--peers', '4', '--data-dir', data.dir, '--port-range', PORTS, '--http', String(HTTP_PORT)]);
  });
  after(() => {
    c?.kill();
    data?.remove();
  });

  test('the manager says where the view is, and /state follows register and setup-dht', async () => {
    for (const name of ['alice', 'bob', 'carol']) await c.run(`register ${name}`);
    assert.ok(textsOf(c.lines, 'manager').includes(`live view at http://127.0.0.1:${HTTP_PORT}/`), c.lines.join('\n'));
    const setup = await c.run('setup-dht alice 3 1950');
    assert.ok(textsOf(setup, 'alice').includes('setup-dht SUCCESS'), setup.join('\n'));
    interface Shown {
      peers: Array<{ name: string; state: string }>;
      dht: { year: string } | null;
    }
    const fetchState = async (): Promise<Shown> => (await (await fetch(`http://127.0.0.1:${HTTP_PORT}/state`)).json()) as Shown;
    let state = await fetchState();
    for (let tries = 0; tries < 50 && state.dht?.year !== '1950'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = await fetchState();
    }
    assert.equal(state.dht?.year, '1950', JSON.stringify(state));
    assert.deepEqual(state.peers.map((p) => p.name).sort(), ['alice', 'bob', 'carol']);
    assert.equal(state.peers.find((p) => p.name === 'alice')?.state, 'Leader');
  });
});

test('cluster --http-host without --http, and a bad --http, are usage errors (exit 2)', async () => {
  for (const [args, message] of [
    [['--http-host', '127.0.0.1'], /^stormdht: --http-host needs --http <port>$/],
    [['--http', 'x'], /^stormdht: .*--http/],
  ] as const) {
    const r = await runToEnd(['cluster', ...args], '');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr.split('\n')[0]!, message);
  }
});
