// failure-detector.ts on the virtual clock: a peer heard from stays Alive; silence makes it Suspect
// at suspectAfterMs and dead at deadAfterMs (then it is forgotten); a heartbeat refutes a suspicion;
// start() gives every peer a grace period; a late tick (the detector itself stalled) moves every
// last-heard time and declares nothing; and with heartbeats lost at random, the chance of a false
// death matches the 25-in-a-row reasoning of timing.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../src/data/seeded-random.js';
import { DEFAULT_DETECTOR, FailureDetector, type DetectorEvent } from '../../src/membership/failure-detector.js';
import { VirtualClock } from '../../src/transport/virtual-clock.js';

function detector(clock = new VirtualClock()) {
  const events: string[] = [];
  const d = new FailureDetector(clock, DEFAULT_DETECTOR, (e: DetectorEvent) =>
    events.push(e.kind === 'stalled' ? `stalled ${e.lostMs}` : `${e.kind} ${e.name} ${e.silentMs}@${clock.now()}`),
  );
  return { clock, d, events };
}

/** Heartbeats from `name` every `everyMs` until `untilMs` (virtual), while the detector ticks. */
function beat(clock: VirtualClock, d: FailureDetector, name: string, everyMs: number, untilMs: number): void {
  const next = (): void => {
    if (clock.now() + everyMs > untilMs) return;
    clock.setTimer(everyMs, () => {
      d.heard(name);
      next();
    });
  };
  next();
}

test('a peer that keeps sending heartbeats is never suspected; one that stops is suspected at 1 s and dead at 2.5 s', () => {
  const { clock, d, events } = detector();
  d.track('ann');
  d.track('bob');
  d.start();
  beat(clock, d, 'ann', 100, 60_000);
  beat(clock, d, 'bob', 100, 5_000); // bob's last heartbeat at 5.0 s
  clock.advance(60_000);
  assert.deepEqual(events, ['suspect bob 1000@6000', 'dead bob 2500@7500']);
  assert.equal(d.healthOf('ann'), 'Alive');
  assert.equal(d.isTracked('bob'), false, 'a dead peer is forgotten');
  d.close();
});

test('a heartbeat refutes a suspicion; a pause shorter than the dead time changes nothing else', () => {
  const { clock, d, events } = detector();
  d.track('cat');
  d.start();
  beat(clock, d, 'cat', 100, 2_000);
  clock.advance(2_000);
  clock.advance(1_900); // silent 1.9 s: suspected, not dead
  assert.equal(d.healthOf('cat'), 'Suspect');
  d.heard('cat');
  assert.equal(d.healthOf('cat'), 'Alive');
  clock.advance(900);
  d.heard('cat');
  clock.advance(500);
  assert.deepEqual(events, ['suspect cat 1000@3000', 'refuted cat 1900@3900']);
  d.close();
});

test('start() gives every tracked peer a full dead time from then (a grace period), and close() stops the ticks', () => {
  const { clock, d, events } = detector();
  d.track('dan');
  clock.advance(10_000); // not started: no ticks
  d.start();
  clock.advance(2_400);
  assert.deepEqual(events, ['suspect dan 1000@11000']);
  clock.advance(100);
  assert.deepEqual(events.at(-1), 'dead dan 2500@12500');
  d.track('eve');
  d.close();
  clock.advance(10_000);
  assert.equal(d.healthOf('eve'), 'Alive', 'no tick after close');
  assert.equal(clock.pendingTimers, 0, 'its ticks are background timers');
});

test('a tick far later than due (the detector did not run) moves every last-heard time and declares nothing that tick', () => {
  // A clock the test moves by hand, with ticks the test calls itself: the process holding the
  // detector stops for 20 s between two ticks, while fay's heartbeats wait in its socket.
  let now = 0;
  const clock = { now: () => now, setTimer: () => ({ cancel() {} }) };
  const events: string[] = [];
  const d = new FailureDetector(clock, DEFAULT_DETECTOR, (e) => events.push(e.kind === 'stalled' ? `stalled ${e.lostMs}` : `${e.kind} ${e.name}`));
  d.track('fay');
  d.start();
  now = 100;
  d.tick();
  now = 20_100; // due at 200
  d.tick();
  assert.deepEqual(events, ['stalled 19900']);
  assert.equal(d.healthOf('fay'), 'Alive', "the stall is not fay's silence");
  d.heard('fay'); // its queued heartbeat, read after the late tick
  now = 20_200;
  d.tick();
  // A real silence is still counted: ticks on time from here, nothing heard since 20.1 s.
  while (now < 21_100) {
    now += 100;
    d.tick();
  }
  assert.deepEqual(events, ['stalled 19900', 'suspect fay']);
  d.close();
});

test('heartbeats lost at 0.3 each: 20 peers for 2,000 virtual seconds, suspicions now and then, no false death', () => {
  const clock = new VirtualClock();
  const random = mulberry32(11);
  let suspicions = 0;
  const deaths: string[] = [];
  const d = new FailureDetector(clock, DEFAULT_DETECTOR, (e) => {
    if (e.kind === 'suspect') suspicions++;
    if (e.kind === 'dead') deaths.push(e.name);
  });
  const names = Array.from({ length: 20 }, (_, i) => `p${String.fromCharCode(97 + i)}`);
  for (const name of names) d.track(name);
  d.start();
  for (const name of names) {
    const next = (): void => {
      clock.setTimer(100, () => {
        if (random() >= 0.3) d.heard(name);
        next();
      }, true);
    };
    next();
  }
  clock.advance(2_000_000);
  assert.deepEqual(deaths, []);
  // 10 lost in a row (1 s of silence) happens about 20 × 20,000 × 0.7 × 0.3^10 ≈ 1.7 times here.
  assert.ok(suspicions <= 20, `${suspicions} suspicions`);
  d.close();
});

test('settings that cannot work are refused at once', () => {
  const clock = new VirtualClock();
  assert.throws(() => new FailureDetector(clock, { ...DEFAULT_DETECTOR, deadAfterMs: 500 }, () => {}), /suspectAfterMs < deadAfterMs/);
  assert.throws(() => new FailureDetector(clock, { ...DEFAULT_DETECTOR, tickMs: 0 }, () => {}), /tickMs > 0/);
});
