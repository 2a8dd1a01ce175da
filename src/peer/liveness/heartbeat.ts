// A registered peer's side of the failure detector (issue 11; docs/protocol.md §10): a heartbeat
// to the manager every interval, from the m-port, sent once and never retransmitted (the next one
// follows). Its answer tells the peer which members the manager suspects or has declared dead, for
// routing queries around them, and whether the manager still knows this peer at all: a peer that
// was evicted while it was stopped (SIGSTOP) or cut off learns it from the first answer after it
// wakes, and drops its ring state. Each heartbeat also carries the peer's figures (records and
// traffic, issue 16) for the manager's live view.
import type { Clock, Timer } from '../../transport/clock.js';
import type { Endpoint } from '../../transport/endpoint.js';
import type { Address } from '../../transport/udp-socket.js';
import type { HeartbeatAck, HeartbeatFigures } from '../../wire/messages.js';

export interface HeartbeatHandlers {
  /** The manager knows this peer: it names the members it suspects and those it declared dead. */
  readonly onView: (suspects: readonly string[], dead: readonly string[]) => void;
  /** The manager does not know this peer (any more), and says why. */
  readonly onForgotten: (reason: string) => void;
  /** The figures the next heartbeat reports (none without it). */
  readonly figures?: () => HeartbeatFigures;
}

export class Heartbeat {
  private timer: Timer | null = null;
  private state: 'running' | 'stopped' = 'stopped';
  /** Heartbeats sent and answers taken: the traffic figures leave them out (they never stop). */
  beats = 0;
  answers = 0;

  constructor(
    private readonly clock: Clock,
    private readonly m: Endpoint,
    private readonly manager: Address,
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly handlers: HeartbeatHandlers,
  ) {}

  start(): void {
    if (this.state === 'running') return;
    this.state = 'running';
    this.beat();
  }

  /** Safe twice. */
  stop(): void {
    this.state = 'stopped';
    this.timer?.cancel();
    this.timer = null;
  }

  private beat(): void {
    if (this.state !== 'running') return;
    // The next beat is timed from this one, whatever becomes of this one's answer.
    this.timer = this.clock.setTimer(this.intervalMs, () => this.beat(), true);
    const sent = this.m.request(this.manager, { type: 'heartbeat', name: this.name, ...this.handlers.figures?.() }, { once: true, budgetMs: this.intervalMs * 2, who: 'manager' });
    this.beats++;
    sent
      .then((answer) => {
        this.answers++;
        if (this.state !== 'running' || answer.type !== 'heartbeat-ack') return;
        const ack = answer as HeartbeatAck;
        if (ack.ok) this.handlers.onView(ack.suspects ?? [], ack.dead ?? []);
        else this.handlers.onForgotten(ack.error ?? 'the manager does not know this peer');
      })
      .catch(() => {}); // unanswered: the detector at the manager is what counts, not this end
  }
}
