// What a peer reports to the layer above (the CLI prints it; tests and the demo read it). Nothing
// below cli/ prints: the peer emits these instead.
import type { Tuple } from '../wire/messages.js';

export type PeerEvent =
  /** A message sent or received, with the counterpart's name ("manager", a peer, or ip:port). */
  | { readonly kind: 'trace'; readonly from: string; readonly to: string; readonly text: string }
  /** Something worth a line that is not a message: summaries of bulk traffic, drops, faults. */
  | { readonly kind: 'note'; readonly level: 'info' | 'warn'; readonly text: string }
  /** The per-node record counts a leader confirmed after a distribution (D7). */
  | {
      readonly kind: 'counts';
      readonly reason: 'setup' | 'rebuild' | 'join' | 'repair';
      readonly year: string;
      readonly l: number;
      readonly s: number;
      readonly ring: readonly Tuple[];
      readonly counts: readonly number[];
      /** With R ≥ 2 copies (issue 12): the copies each node keeps, and the records no copy was left of. */
      readonly copies?: readonly number[];
      readonly lost?: number;
    }
  /** The peer needs a line from its user (D1: an event id when it has no copy of the year). */
  | { readonly kind: 'prompt'; readonly text: string }
  /**
   * How far a distribution this node runs has got: records acknowledged by their owners, of those
   * sent. A terminal shows it as a progress bar; it is never printed as a line (nor in --json).
   */
  | {
      readonly kind: 'progress';
      readonly task: 'setup' | 'rebuild' | 'join' | 'repair';
      readonly year: string;
      readonly done: number;
      readonly total: number;
      readonly finished: boolean;
    };

/** The events that are printed as lines (every kind but progress). */
export type PrintedEvent = Exclude<PeerEvent, { readonly kind: 'progress' }>;

/** The outcome of one user command: exactly one per command typed (SPEC §14). */
export interface CommandResult {
  readonly command: string;
  readonly ok: boolean;
  readonly error?: string;
  /** Payload keys of the JSON result line (§14's table), in order. */
  readonly data?: Readonly<Record<string, unknown>>;
}

export function success(command: string, data?: Record<string, unknown>): CommandResult {
  return data ? { command, ok: true, data } : { command, ok: true };
}

export function failure(command: string, error: string, data?: Record<string, unknown>): CommandResult {
  return data ? { command, ok: false, error, data } : { command, ok: false, error };
}
