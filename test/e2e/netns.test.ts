// Issue 3, item 6: peers on several hosts. The manager and the peers run in separate network
// namespaces ("hosts"), each joined to a bridge namespace by a veth pair, with 10.213.0.0/24
// addresses that exist only inside them: the manager alone on one host, and two peers on each of
// three others. The manager binds its host's address; each peer registers with `register <name>`
// and so must pick its own host's address. The full demo script (SPEC §11.2, real 1996 file) is
// played across the hosts with every check of faults-demo.ts. Every namespace is deleted
// afterwards, also on failure. Needs root and iproute2; skips, saying why, where `ip netns add`
// fails. Peer ports 43000-43099 (inside the namespaces).
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { skipUnlessYear, SHARED_DATA_DIR } from '../helpers/shared-data.js';
import { playFullDemo, SIX } from './faults-demo.js';
import { envWithoutFaults, Fleet, lineHook } from './faults-fleet.js';
import { fileRows } from './faults-oracle.js';
import { addressesIn, buildLab, deleteLab, ip, namespacesWith, netnsUnavailable, NsChild, startNsManager, type Host } from './netns-driver.js';

const PREFIX = `sdht-${process.pid}-`;
const PORTS = '43000-43099';
const HOSTS = [
  { name: 'mgr', address: '10.213.0.1' },
  { name: 'hosta', address: '10.213.0.11' },
  { name: 'hostb', address: '10.213.0.12' },
  { name: 'hostc', address: '10.213.0.13' },
];
const PLACE: Readonly<Record<string, string>> = { alice: 'hosta', bob: 'hosta', carol: 'hostb', dave: 'hostb', erin: 'hostc', frank: 'hostc' };

describe('peers on several hosts: network namespaces joined by veth pairs', { skip: skipUnlessYear('1996') }, () => {
  let unavailable: string | null = null;
  let hosts = new Map<string, Host>();
  let fleet: Fleet | undefined;

  before(() => {
    unavailable = netnsUnavailable(PREFIX);
    if (unavailable === null) hosts = buildLab(PREFIX, HOSTS).hosts;
  });

  after(async () => {
    await fleet?.close();
    const left = deleteLab(PREFIX);
    assert.deepEqual(left, [], `namespaces left behind: ${left.join(', ')}`);
  });

  test('each host namespace holds only its own 10.213.0.0/24 address, which the test host does not have', (t: TestContext) => {
    if (unavailable !== null) return t.skip(`network namespaces unavailable: ${unavailable}`);
    assert.deepEqual(namespacesWith(PREFIX).sort(), [`${PREFIX}br`, ...HOSTS.map((h) => `${PREFIX}${h.name}`)].sort());
    for (const h of HOSTS) {
      assert.deepEqual(addressesIn(hosts.get(h.name)!.ns).sort(), ['127.0.0.1/8', `${h.address}/24`].sort(), `addresses of ${h.name}`);
    }
    assert.ok(!/inet 10\.213\./.test(ip('-o', '-4', 'addr', 'show')), 'the test host must not have a 10.213 address');
  });

  test('the full demo script across the hosts (SPEC §11.2, 1996)', { timeout: 300_000 }, async (t: TestContext) => {
    if (unavailable !== null) return t.skip(`network namespaces unavailable: ${unavailable}`);
    fileRows('1996');
    const env = envWithoutFaults();
    const onLine = lineHook('netns');
    const mgr = hosts.get('mgr')!;
    const manager = await startNsManager(mgr.ns, mgr.address, { env, onLine });
    assert.deepEqual([manager.ip], [mgr.address], 'the manager listens on its host address');
    fleet = new Fleet(
      manager,
      (label) =>
        new NsChild(label, hosts.get(PLACE[label]!)!.ns, ['peer', manager.ip, String(manager.port), '--json', '--data-dir', SHARED_DATA_DIR, '--port-range', PORTS], {
          env,
          onLine,
        }),
    );
    const [lo, hi] = PORTS.split('-').map(Number) as [number, number];
    const report = await playFullDemo(fleet, {
      leaver: 'middle',
      sampleSeed: 213,
      samples: 2,
      commandTimeoutMs: 120_000,
      checkAddress: (name, ipAddress, mPort, pPort) => {
        assert.equal(ipAddress, hosts.get(PLACE[name]!)!.address, `${name} must register its own host's address`);
        for (const p of [mPort, pPort]) assert.ok(p >= lo && p <= hi, `${name}'s port ${p} outside ${PORTS}`);
      },
    });
    // The ring spanned the hosts: its members sit on more than one of them.
    assert.ok(new Set(report.ring.map((n) => PLACE[n])).size > 1, `ring ${report.ring.join(', ')}`);
    t.diagnostic(`step times ${JSON.stringify(report.times)}; peers ${SIX.map((n) => `${n}@${hosts.get(PLACE[n]!)!.address}`).join(' ')}`);
  });
});
