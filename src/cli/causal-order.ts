// The order things happened in across the cluster's processes, for its live view (issue 16 §2).
// Each process stamps a line when it prints it, which may be a little after the datagram left:
// by the stamps alone, an answer can seem to precede the question that caused it. Two facts are
// certain, though: each process prints its lines in the order its things happened, and a
// datagram is sent before it is received. This puts a set of items (datagrams, notes, results) in
// an order that keeps both — Lamport's happened-before — and uses the stamps only between things
// that neither fact orders. Pure.

/** Something one process printed: its place among that process's lines, and its stamp. */
export interface Happening {
  readonly process: string;
  /** The line's number in its process's output: larger is later. */
  readonly seq: number;
  /** Its stamp, ms: orders only what happened-before leaves unordered. */
  readonly at: number;
}

/**
 * The items in happened-before order. `happenings(item)` is what each item was to the processes,
 * in its own order: a datagram's send then its receipt (either may be missing), a note's one
 * line. An item's place is that of its first happening. If the lines contradict themselves (a
 * cycle), the earliest stamp is taken to go on.
 */
export function causalOrder<T>(items: readonly T[], happenings: (item: T) => readonly Happening[]): T[] {
  interface Node {
    readonly item: number;
    readonly h: Happening;
    readonly next: Node[];
    waiting: number;
    place: number;
  }
  const nodes: Node[] = [];
  const firsts: Node[] = [];
  items.forEach((item, i) => {
    let before: Node | null = null;
    for (const h of happenings(item)) {
      const node: Node = { item: i, h, next: [], waiting: 0, place: -1 };
      nodes.push(node);
      if (before === null) firsts[i] = node;
      else link(before, node);
      before = node;
    }
  });
  // Each process's happenings in its own order.
  const byProcess = new Map<string, Node[]>();
  for (const node of nodes) {
    const list = byProcess.get(node.h.process) ?? [];
    list.push(node);
    byProcess.set(node.h.process, list);
  }
  for (const list of byProcess.values()) {
    list.sort((a, b) => a.h.seq - b.h.seq);
    for (let k = 1; k < list.length; k++) link(list[k - 1]!, list[k]!);
  }
  // Kahn's order, the earliest stamp first among those free to go.
  const earliest = (a: Node, b: Node) => a.h.at - b.h.at || a.item - b.item;
  let free = nodes.filter((n) => n.waiting === 0);
  let place = 0;
  const left = new Set(nodes);
  while (left.size > 0) {
    const pool = free.length > 0 ? free : [...left]; // a cycle: go on from the earliest stamp
    const node = pool.reduce((best, n) => (earliest(n, best) < 0 ? n : best));
    free = free.filter((n) => n !== node);
    left.delete(node);
    node.place = place++;
    for (const n of node.next) if (--n.waiting === 0 && left.has(n)) free.push(n);
  }
  return items
    .map((item, i) => ({ item, place: firsts[i]?.place ?? Number.MAX_SAFE_INTEGER, i }))
    .sort((a, b) => a.place - b.place || a.i - b.i)
    .map((x) => x.item);

  function link(a: Node, b: Node): void {
    a.next.push(b);
    b.waiting++;
  }
}
