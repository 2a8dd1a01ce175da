// The restart scenario's pure helpers (bench/restart-scenario.ts, bench/peer-fleet.ts) and the runs
// taken in turns (bench/paired-runs.ts): the fleet's names and ports, the check of a members page,
// the order of the turns. Nothing here binds a socket or is timed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOnly, SCENARIOS } from '../../bench/options.js';
import { inTurns, runLabel, turns } from '../../bench/paired-runs.js';
import { fleetLayout, membersPageProblem, type FleetPeer } from '../../bench/peer-fleet.js';
import { FLEET_M_BASE, FLEET_P_BASE, FLEET_SIZE, RESTART_MANAGER_PORT, RESTART_PEER_PORTS } from '../../bench/restart-scenario.js';
import { checkPeerName } from '../../src/manager/validate.js';

const BAND = { lo: 52_000, hi: 53_999 };

test('fleetLayout: 1,000 valid, distinct names; every port in 52000-53999 and used once', () => {
  const fleet = fleetLayout(FLEET_SIZE, '127.0.0.1', FLEET_M_BASE, FLEET_P_BASE);
  assert.equal(fleet.length, 1000);
  for (const p of fleet) assert.equal(checkPeerName(p.name), null, p.name);
  assert.equal(new Set(fleet.map((p) => p.name)).size, 1000);
  const ports = fleet.flatMap((p) => [p.mPort, p.pPort]);
  assert.equal(new Set(ports).size, 2000, 'register refuses a port another peer names');
  for (const port of ports) assert.ok(port >= BAND.lo && port <= BAND.hi, String(port));
  assert.ok(fleet.every((p) => p.mPort !== RESTART_MANAGER_PORT), 'the manager shares no bound m-port');
  assert.deepEqual(fleet[0], { name: 'peera', ip: '127.0.0.1', mPort: 52_000, pPort: 53_000 });
});

test("the setup figure's peer slices and managers stay in 52000-53999", () => {
  assert.ok(RESTART_PEER_PORTS.lo >= BAND.lo && RESTART_PEER_PORTS.hi <= BAND.hi);
  assert.ok(RESTART_MANAGER_PORT >= BAND.lo && RESTART_MANAGER_PORT <= BAND.hi);
});

const PEERS: FleetPeer[] = fleetLayout(5, '127.0.0.1', 52_000, 53_000);
const page = (from: number, perPage: number, change?: (e: { name: string; state: string; ip: string; port: number }[]) => void) => {
  const peers = PEERS.slice(from, from + perPage).map((p) => ({ name: p.name, state: 'Free' as const, ip: p.ip, port: p.pPort }));
  change?.(peers);
  return { ok: true, total: PEERS.length, dht: null, peers };
};

test('membersPageProblem: null for the registry as registered, page by page', () => {
  assert.equal(membersPageProblem(page(0, 2), PEERS, 0, 2), null);
  assert.equal(membersPageProblem(page(2, 2), PEERS, 2, 2), null);
  assert.equal(membersPageProblem(page(4, 2), PEERS, 4, 2), null);
});

test('membersPageProblem: names what differs from the state the manager had', () => {
  assert.match(membersPageProblem({ ok: false, error: 'peer "peera" is not registered' }, PEERS, 0, 2)!, /^ok:false \(peer "peera" is not registered\)/);
  assert.match(membersPageProblem({ ...page(0, 2), total: 4 }, PEERS, 0, 2)!, /^total 4, expected 5/);
  assert.match(membersPageProblem({ ...page(0, 2), dht: { year: '1996', ring: ['peera'], leader: 'peera' } }, PEERS, 0, 2)!, /^dht .* expected none/);
  assert.match(membersPageProblem({ ...page(0, 2), dht: undefined }, PEERS, 0, 2)!, /^dht undefined/);
  assert.match(membersPageProblem(page(0, 1), PEERS, 0, 2)!, /^1 peers from 0, expected 2/);
  assert.match(membersPageProblem(page(0, 2, (e) => e.reverse()), PEERS, 0, 2)!, /^entry 0 is .*peerb.*expected peera Free/);
  assert.match(membersPageProblem(page(0, 2, (e) => (e[1]!.state = 'InDHT')), PEERS, 0, 2)!, /^entry 1 /);
  assert.match(membersPageProblem(page(0, 2, (e) => (e[1]!.port = 52_001)), PEERS, 0, 2)!, /expected peerb Free at 127.0.0.1:53001/);
});

test('turns: the baseline first on even runs, the variant first on odd ones', () => {
  assert.deepEqual([0, 1, 2, 3].map(turns), [[0, 1], [1, 0], [0, 1], [1, 0]]);
});

test('inTurns: warm-ups run but are not returned; figures by kind, whatever the order', async () => {
  const calls: string[] = [];
  const seen: string[] = [];
  const byKind = await inTurns(
    { warmup: 1, runs: 3 },
    async (k, i) => {
      calls.push(`${i}:${k}`);
      return 10 * i + k;
    },
    (i, warm, f) => seen.push(`${i}${warm ? 'w' : ''}=${f.join('/')}`),
  );
  assert.deepEqual(calls, ['0:0', '0:1', '1:1', '1:0', '2:0', '2:1', '3:1', '3:0']);
  assert.deepEqual(seen, ['0w=0/1', '1=10/11', '2=20/21', '3=30/31']);
  assert.deepEqual(byKind, [
    [10, 20, 30],
    [11, 21, 31],
  ]);
});

test('runLabel: warm-up, then run k/N', () => {
  const p = { warmup: 1, runs: 5 };
  assert.deepEqual([0, 1, 5].map((i) => runLabel(i, p)), ['warm-up', 'run 1/5', 'run 5/5']);
});

test('--only restart (and its aliases) names the restart scenario, which the full run includes', () => {
  assert.deepEqual([...parseOnly('restart')], ['restart']);
  assert.deepEqual([...parseOnly('durable,state-dir')], ['restart']);
  assert.ok((SCENARIOS as readonly string[]).includes('restart'));
  assert.ok(parseOnly(undefined).has('restart'));
});
