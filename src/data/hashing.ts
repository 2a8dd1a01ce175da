// The hash of SPEC §9: s is the first prime strictly greater than 2·l, a record sits at
// pos = event_id mod s in the table of node owner = pos mod n. Every node and the leader must
// compute the same numbers, so these few lines are the single place they are defined.

/** Trial division by 2, 3 and then 6k ± 1; false for anything that is not an integer ≥ 2. */
export function isPrime(n: number): boolean {
  if (!Number.isSafeInteger(n) || n < 2) return false;
  if (n < 4) return true; // 2 and 3
  if (n % 2 === 0 || n % 3 === 0) return false;
  for (let d = 5; d * d <= n; d += 6) {
    if (n % d === 0 || n % (d + 2) === 0) return false;
  }
  return true;
}

/** s: the first prime STRICTLY greater than 2·l (tableSize(48561) = 97127). */
export function tableSize(l: number): number {
  requireInteger('l', l, 0);
  let s = 2 * l + 1;
  while (!isPrime(s)) s++;
  return s;
}

/** pos = eventId mod s: the slot in the owner's local table. */
export function positionOf(eventId: number, s: number): number {
  requireInteger('eventId', eventId, 0);
  requireInteger('s', s, 1);
  return eventId % s;
}

/** owner = pos mod n: the id (0…n−1) of the node that stores the record. */
export function ownerOf(pos: number, n: number): number {
  requireInteger('pos', pos, 0);
  requireInteger('n', n, 1);
  return pos % n;
}

/**
 * How many records each node id 0…n−1 stores: the acceptance figures of SPEC §13 and what the
 * leader must confirm (D7). Counts sum to the number of ids given.
 */
export function countsPerNode(eventIds: Iterable<number>, s: number, n: number): number[] {
  requireInteger('s', s, 1);
  requireInteger('n', n, 1);
  const counts = new Array<number>(n).fill(0);
  for (const id of eventIds) counts[ownerOf(positionOf(id, s), n)]!++;
  return counts;
}

/** Misuse is a caller bug: fail at once with the argument's name rather than hash to NaN. */
function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
  }
}
