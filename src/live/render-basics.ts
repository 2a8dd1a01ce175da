// The live view's drawing basics (issue 16), shared by the manager's sections (view-render.ts) and
// the cluster's (cluster-render.ts): the ring's geometry, so that a node is drawn at the same
// place in the ring and in a query's path, and the escaping and number formats. Pure, no imports.

/** The ring's drawing: a circle of this radius in a square viewBox of RING_BOX units. */
export const RING_BOX = 420;
export const RING_RADIUS = 150;
/** Room left and right of the box for the names beside the circle (15 letters at most). */
const LABEL_MARGIN = 90;
export const RING_VIEWBOX = `${-LABEL_MARGIN} 0 ${RING_BOX + 2 * LABEL_MARGIN} ${RING_BOX}`;
/** The ring's centre, in the units of RING_VIEWBOX (x and y alike). */
export const RING_CENTRE = RING_BOX / 2;

/** Where node `id` of a ring of n is drawn: its centre, its circle's radius, and its name's place and anchor. */
export interface RingPoint {
  readonly x: number;
  readonly y: number;
  readonly r: number;
  readonly labelX: number;
  readonly labelY: number;
  readonly anchor: 'start' | 'middle' | 'end';
}

/** The ring's geometry, shared by the ring and the queries' paths so that a node is at the same place in both. */
export function ringPoint(id: number, n: number): RingPoint {
  const c = RING_CENTRE;
  // Circles shrink as the ring grows, so that neighbours never overlap.
  const r = Math.max(5, Math.min(24, ((Math.PI * RING_RADIUS) / n) * 0.6));
  // Clockwise from the top.
  const angle = (2 * Math.PI * id) / n - Math.PI / 2;
  const [x, y] = [c + RING_RADIUS * Math.cos(angle), c + RING_RADIUS * Math.sin(angle)];
  const [labelX, labelY] = [c + (RING_RADIUS + r + 10) * Math.cos(angle), c + (RING_RADIUS + r + 10) * Math.sin(angle)];
  const anchor = Math.abs(labelX - c) < 1 ? 'middle' : labelX > c ? 'start' : 'end';
  return { x, y, r, labelX, labelY, anchor };
}

/** hh:mm:ss.mmm in local time. */
export function localTime(atMs: number): string {
  const t = new Date(atMs);
  const two = (v: number) => String(v).padStart(2, '0');
  return `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}.${String(t.getMilliseconds()).padStart(3, '0')}`;
}

/** 48561 → "48,561". */
export function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A coordinate with one decimal at most: the SVG stays short. */
export function fix(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

/** Text for HTML content. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text for a double-quoted attribute. */
export function attr(text: string): string {
  return esc(text).replace(/"/g, '&quot;');
}
