// What one hop costs on this machine with no protocol at all: a Node process sends a 100-byte UDP
// datagram on 127.0.0.1 to another Node process (udp-echo.ts), which sends it straight back, one at
// a time (stop and wait), so each datagram finds its receiver asleep, as each hop of a query does.
// Half a round trip is the floor under every hop of a query's path (docs/benchmarks.md).
import { fork } from 'node:child_process';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { errorText, plan, repeat, type BenchContext } from './runner.js';

const ECHO = fileURLToPath(new URL('./udp-echo.js', import.meta.url));
const ROUND_TRIPS = 5_000;

/** Microseconds per one-way hop over ROUND_TRIPS stop-and-wait round trips to a fresh echo process. */
async function oneWayMicros(): Promise<number> {
  const echo = fork(ECHO, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const socket = dgram.createSocket('udp4');
  try {
    const port = await new Promise<number>((resolve, reject) => {
      echo.once('message', (m) => resolve(Number(m)));
      echo.once('exit', (code) => reject(new Error(`echo process exited (${String(code)})`)));
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const payload = Buffer.alloc(100, 0x78);
    const send = () => socket.send(payload, port, '127.0.0.1');
    // A few hundred untimed round trips first, so that neither side is still compiling.
    const roundTrips = (count: number) =>
      new Promise<void>((resolve) => {
        let left = count;
        const onMessage = () => {
          if (--left === 0) {
            socket.off('message', onMessage);
            resolve();
          } else send();
        };
        socket.on('message', onMessage);
        send();
      });
    await roundTrips(500);
    const start = performance.now();
    await roundTrips(ROUND_TRIPS);
    return ((performance.now() - start) * 1000) / ROUND_TRIPS / 2;
  } finally {
    socket.close();
    echo.disconnect();
    echo.kill();
  }
}

export async function floorScenario(ctx: BenchContext): Promise<void> {
  const name = 'udp-hop-floor-stop-and-wait';
  try {
    const values = await repeat(ctx.reporter, name, 'µs', plan(ctx), () => oneWayMicros());
    ctx.reporter.runs(name, 'µs', values, undefined, `one way, half of ${ROUND_TRIPS} round trips of 100 bytes between two Node processes doing nothing else`);
  } catch (err) {
    ctx.reporter.failed(name, 'µs', errorText(err));
  }
}
