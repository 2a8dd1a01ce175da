// Host names (issue 15, item 9): `stormdht manager --host localhost`, a peer given its manager as
// `localhost`, and `register <name> localhost <m-port> <p-port>` work, each name resolved once to
// its IPv4 address, which is all the manager and the ring ever see; a name that does not resolve
// is one line and exit 2, like any bad argument (no-stack-traces.test.ts checks those). Real processes over a synthetic 1950; `localhost`
// is 127.0.0.1 (/etc/hosts). `nosuchhost.invalid` never resolves (RFC 2606 reserves .invalid).
// Ports 33900-33999 on 127.0.0.1: the manager 33900, the peers 33910-33949, dave 33950-33951.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startManager, startPeer, type JsonChild, type ManagerProcess } from '../../src/cli/processes.js';
import { assertFailure, assertSuccess, fileRows, registeredAddress, show } from './cluster.js';
import { syntheticData, type TempData } from './cluster-cli.js';

const YEAR = '1950';
const MANAGER_PORT = 33900;
const PEER_PORTS = '33910-33949';
/** A name under the reserved .invalid top-level domain: no resolver ever answers it. */
const NO_SUCH_HOST = 'nosuchhost.invalid';

describe('a manager and peers named by localhost', () => {
  let data: TempData;
  let manager: ManagerProcess;
  const peers: JsonChild[] = [];
  /** The manager as the peers are given it: by name. */
  let byName: ManagerProcess;
  const peer = (label: string): JsonChild => {
    const child = startPeer(label, byName, { dataDir: data.dir, portRange: PEER_PORTS });
    peers.push(child);
    return child;
  };

  before(async () => {
    data = syntheticData(YEAR);
    manager = await startManager({ host: 'localhost', port: MANAGER_PORT });
    byName = { ...manager, ip: 'localhost' };
  });
  after(async () => {
    await Promise.all(peers.map((p) => p.stop('SIGTERM', 10_000)));
    await manager?.proc.stop('SIGINT', 10_000);
    data?.remove();
  });

  test('--host localhost binds 127.0.0.1', () => {
    assert.equal(manager.ip, '127.0.0.1', 'the listening line gives the address, not the name');
    assert.equal(manager.port, MANAGER_PORT);
  });

  test('peers of "localhost" register, set a DHT up and query it; every address on the wire is 127.0.0.1', async () => {
    for (const name of ['alice', 'bob', 'carol']) {
      const child = peer(name);
      assertSuccess(await child.run(`register ${name}`), 'register');
      assert.equal(registeredAddress(child).ip, '127.0.0.1', `${name} registers the address that reaches the manager`);
    }
    const [alice] = peers;
    const setup = await alice!.run(`setup-dht alice 3 ${YEAR}`);
    assertSuccess(setup, 'setup-dht');
    for (const t of setup.ring as Array<{ ip: string }>) assert.equal(t.ip, '127.0.0.1', `a ring tuple: ${show(setup)}`);

    // register's address may be a name too: the manager is sent its IPv4 address. Registered
    // after the setup, dave is Free, so he may query.
    const dave = peer('dave');
    assertSuccess(await dave.run('register dave localhost 33950 33951'), 'register');
    assert.deepEqual(registeredAddress(dave), { ip: '127.0.0.1', mPort: 33950, pPort: 33951 });

    const id = data.data.ids[7]!;
    const query = await dave.run(`query-dht dave ${id}`);
    assertSuccess(query, 'query-dht');
    assert.equal(query.found, true, show(query));
    assert.deepEqual(query.record, fileRows(YEAR, data.dir).byId.get(id), show(query));

    const members = await dave.run('members dave');
    assertSuccess(members, 'members');
    const registry = members.peers as Array<{ name: string; ip: string }>;
    assert.deepEqual(registry.map((p) => [p.name, p.ip]).sort(), ['alice', 'bob', 'carol', 'dave'].map((n) => [n, '127.0.0.1']), show(members));
  });

  test('register with a name that does not resolve fails in one line, and the peer stays unregistered', async () => {
    const erin = peer('erin');
    assertFailure(await erin.run(`register erin ${NO_SUCH_HOST} 33952 33953`), 'register', `cannot resolve "${NO_SUCH_HOST}" to an IPv4 address (`);
    assertFailure(await erin.run('register erin my_host 33952 33953'), 'register', '"my_host" is neither an IPv4 address nor a host name');
    const status = await erin.run('status');
    assert.equal(status.name, null, show(status));
  });
});
