// The manager's failure detector (issue 11; docs/protocol.md §10): every registered peer sends a
// heartbeat every HEARTBEAT_INTERVAL_MS, and the detector looks at each peer's silence every tick.
// A peer silent for suspectAfterMs is Suspect (queries are routed around it, and one heartbeat
// refutes it), and one silent for deadAfterMs is declared dead. Suspicion before death is SWIM's;
// taking heartbeats at one registry rather than probing peer to peer is the manager's privilege
// (every peer already talks to it, so a heartbeat costs one small datagram each way, and the
// silence that matters is the manager's view, which decides membership anyway).
//
// The detector does not count its own pauses as anyone's silence: a tick that runs much later than
// due (the manager was stopped, or starved of CPU) moves every peer's last-heard time forward by
// the delay and declares nothing that tick, so that the heartbeats queued meanwhile in the socket
// are read first (after memberlist's Lifeguard, which scales its timeouts by the local node's own
// health). Pure over an injected clock: the same code runs over real time and in the simulation.
import type { Clock, Timer } from '../transport/clock.js';
import { DEAD_AFTER_MS, DETECTOR_STALL_MS, DETECTOR_TICK_MS, SUSPECT_AFTER_MS } from '../transport/timing.js';

/** A tracked peer's health. Dead peers are not tracked: the detector forgets them as it says so. */
export type Health = 'Alive' | 'Suspect';

export type DetectorEvent =
  | { readonly kind: 'suspect'; readonly name: string; readonly silentMs: number }
  /** A suspect was heard from again: the suspicion was wrong. */
  | { readonly kind: 'refuted'; readonly name: string; readonly silentMs: number }
  | { readonly kind: 'dead'; readonly name: string; readonly silentMs: number }
  /** The detector itself did not run for `lostMs`: that time is not counted as silence. */
  | { readonly kind: 'stalled'; readonly lostMs: number };

export interface DetectorSettings {
  /** Silence (ms) after which a peer is suspected. */
  readonly suspectAfterMs: number;
  /** Silence (ms) after which a peer is declared dead. */
  readonly deadAfterMs: number;
  /** How often (ms) every peer's silence is looked at. */
  readonly tickMs: number;
  /** A tick later than due by more than this (ms) means the detector itself was not running. */
  readonly stallMs: number;
}

export const DEFAULT_DETECTOR: DetectorSettings = {
  suspectAfterMs: SUSPECT_AFTER_MS,
  deadAfterMs: DEAD_AFTER_MS,
  tickMs: DETECTOR_TICK_MS,
  stallMs: DETECTOR_STALL_MS,
};

interface Tracked {
  lastHeard: number;
  health: Health;
}

export class FailureDetector {
  private readonly peers = new Map<string, Tracked>();
  private timer: Timer | null = null;
  private lastTick = 0;
  private state: 'stopped' | 'running' | 'closed' = 'stopped';

  constructor(
    private readonly clock: Clock,
    private readonly settings: DetectorSettings,
    private readonly onEvent: (event: DetectorEvent) => void,
  ) {
    if (!(settings.suspectAfterMs > 0 && settings.deadAfterMs > settings.suspectAfterMs && settings.tickMs > 0)) {
      throw new RangeError('the detector needs 0 < suspectAfterMs < deadAfterMs and tickMs > 0');
    }
  }

  /** Starts the ticks. Every tracked peer gets a full deadAfterMs from now (a grace period). */
  start(): void {
    if (this.state !== 'stopped') return;
    this.state = 'running';
    const now = this.clock.now();
    for (const p of this.peers.values()) p.lastHeard = now;
    this.lastTick = now;
    this.schedule();
  }

  /** Stops for good. Safe twice. */
  close(): void {
    this.state = 'closed';
    this.timer?.cancel();
    this.timer = null;
  }

  /**
   * Starts watching a peer (it registered): it counts as heard from now, or from graceMs later. A
   * peer sends its first heartbeat only once the answer to its register gets through, which may
   * take its register's whole retry budget when answers are lost; its first heartbeat ends the grace.
   */
  track(name: string, graceMs = 0): void {
    this.peers.set(name, { lastHeard: this.clock.now() + graceMs, health: 'Alive' });
  }

  /** Stops watching a peer (it deregistered or was evicted). */
  forget(name: string): void {
    this.peers.delete(name);
  }

  isTracked(name: string): boolean {
    return this.peers.has(name);
  }

  /** Names of the tracked peers. */
  tracked(): IterableIterator<string> {
    return this.peers.keys();
  }

  healthOf(name: string): Health | null {
    return this.peers.get(name)?.health ?? null;
  }

  /** A heartbeat or any other datagram from the peer: it is alive now. */
  heard(name: string): void {
    const p = this.peers.get(name);
    if (p === undefined) return;
    const now = this.clock.now();
    const silentMs = now - p.lastHeard;
    p.lastHeard = now;
    if (p.health === 'Suspect') {
      p.health = 'Alive';
      this.onEvent({ kind: 'refuted', name, silentMs });
    }
  }

  /** One look at every peer's silence; the timer calls it, and tests on a virtual clock may too. */
  tick(): void {
    const now = this.clock.now();
    const late = now - this.lastTick - this.settings.tickMs;
    this.lastTick = now;
    if (late > this.settings.stallMs) {
      for (const p of this.peers.values()) p.lastHeard += late;
      this.onEvent({ kind: 'stalled', lostMs: late });
      return;
    }
    for (const [name, p] of [...this.peers]) {
      const silentMs = now - p.lastHeard;
      if (silentMs >= this.settings.deadAfterMs) {
        this.peers.delete(name);
        this.onEvent({ kind: 'dead', name, silentMs });
      } else if (silentMs >= this.settings.suspectAfterMs && p.health === 'Alive') {
        p.health = 'Suspect';
        this.onEvent({ kind: 'suspect', name, silentMs });
      }
    }
  }

  private schedule(): void {
    this.timer = this.clock.setTimer(
      this.settings.tickMs,
      () => {
        if (this.state !== 'running') return;
        this.tick();
        this.schedule();
      },
      true,
    );
  }
}
