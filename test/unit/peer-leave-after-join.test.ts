// procedures/leave.ts: a leaver renumbers the ring as it is when the manager says SUCCESS, not as
// it was when leave-dht was sent. Found by the simulation (seed 2564): a member's leave-dht was
// lost, the manager took a Free peer's join meanwhile, and the retransmitted leave-dht then
// renumbered the ring from before the join — the joiner fell out of the ring while the manager
// kept it as a member.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../src/data/seeded-random.js';
import { ManagerServer } from '../../src/manager/server.js';
import { runCommand } from '../../src/peer/commands.js';
import type { CommandResult } from '../../src/peer/events.js';
import { PeerNode } from '../../src/peer/node.js';
import { simData } from '../../src/sim/sim-data.js';
import { MemoryNetwork } from '../../src/transport/memory-network.js';
import type { DatagramSocket } from '../../src/transport/udp-socket.js';
import { VirtualClock } from '../../src/transport/virtual-clock.js';
import { decode } from '../../src/wire/codec.js';

const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin'];

test('a leave-dht retransmitted past a join renumbers the ring with the joiner in it', async () => {
  const clock = new VirtualClock();
  const net = new MemoryNetwork({ clock, delayMs: 2 });
  // Every leave-dht datagram is lost until the join is complete at the manager: a retransmission
  // then gets through.
  let dropped = 0;
  let joined = () => false;
  const bind = async (ip: string, port: number): Promise<DatagramSocket> => {
    const socket = await net.bind(ip, port);
    const send = socket.send.bind(socket);
    socket.send = (buf, to) => {
      const d = decode(Buffer.from(buf));
      if (d.ok && d.msg.type === 'leave-dht' && !joined()) dropped++;
      else send(buf, to);
    };
    return socket;
  };
  const manager = await ManagerServer.start({ host: '10.0.0.1', port: 7000, clock, random: mulberry32(1), bind: (ip, port) => net.bind(ip, port) });
  const nodes = new Map(
    NAMES.map((name, i) => [name, new PeerNode({ manager: manager.address, dataDir: simData().fullDir, clock, random: mulberry32(10 + i), bind })]),
  );
  const start = (name: string, line: string) => {
    const outcome: { result?: CommandResult } = {};
    void runCommand(nodes.get(name)!, line.split(' '), () => Promise.resolve(null)).then((r) => (outcome.result = r));
    return outcome;
  };
  const settle = async (...outcomes: Array<{ result?: CommandResult }>) => {
    while (outcomes.some((o) => o.result === undefined)) await clock.advanceSettled(10);
    for (const o of outcomes) assert.equal(o.result!.ok, true, o.result!.error);
  };

  for (const [i, name] of NAMES.entries()) await settle(start(name, `register ${name} 10.0.0.2 ${7001 + 2 * i} ${7002 + 2 * i}`));
  await settle(start('alice', 'setup-dht alice 4 1950'));
  const before = manager.state.dht!.members;
  const joiner = NAMES.find((n) => !before.includes(n))!;
  const leaver = before[1]!;
  joined = () => manager.state.mode.kind === 'Idle' && manager.state.dht!.members.includes(joiner);

  await settle(start(leaver, `leave-dht ${leaver}`), start(joiner, `join-dht ${joiner}`));
  assert.ok(dropped > 0);
  const members = manager.state.dht!.members;
  assert.ok(members.includes(joiner) && !members.includes(leaver), `members ${members.join(', ')}`);
  for (const [id, name] of members.entries()) {
    const r = nodes.get(name)!.ring;
    assert.deepEqual(r && { id: r.id, ring: r.ring.map((t) => t.name) }, { id, ring: members }, `${name}'s ring`);
  }
  await Promise.all([manager.close(), ...[...nodes.values()].map((n) => n.detach())]);
});
