// A map whose entries expire a fixed time after insertion. Entries are kept in insertion order
// (a Map's order), so expired ones are swept from the front on every insert: O(1) amortised,
// no timer.
import type { Clock } from './clock.js';

export class ExpiringMap<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  set(key: K, value: V): void {
    this.sweep();
    // Re-inserting moves the key to the back, keeping the front the oldest.
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.clock.now() + this.ttlMs });
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  /** The keys not expired yet, oldest first. */
  keys(): K[] {
    this.sweep();
    return [...this.entries.keys()];
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.entries) {
      if (entry.expires > now) break;
      this.entries.delete(key);
    }
  }
}
