// The oracle of the fault, kill and namespace end-to-end files (faults.test.ts, kill.test.ts,
// netns.test.ts): the e2e tier's typed SPEC §13 table, file rows and checks (cluster.ts), plus
// SPEC §12's demo ids typed in and seeded samples of the real files. Expected figures never come
// from program output. Not a test file itself.
import { mulberry32 } from '../../src/data/seeded-random.js';
import { absentIds, pickIds } from './cluster.js';

export {
  assertQuery,
  assertSetup,
  assertSuccess,
  expectedCounts,
  fileRows,
  pickedNode,
  ringAfterLeave,
  show,
  SPEC_RECORD_5536849,
  SPEC_TABLE,
} from './cluster.js';

/** SPEC §12, typed in: the demo ids of 1996, whether the file holds them, their owners for n = 5 and 4. */
export const SPEC12 = [
  { id: 5536849, found: true, owner5: 0, owner4: 2 },
  { id: 2402920, found: false, owner5: 2, owner4: 0 },
  { id: 5539287, found: true, owner5: 3, owner4: 0 },
  { id: 55770111, found: false, owner5: 3, owner4: 1 },
] as const;

/** SPEC §12's row of 5539287: the fields after event_id, in file order. */
export const SPEC12_FIELDS_5539287 = ['ARIZONA', '1996', 'January', 'Dust Storm', 'Z', 'NORTHERN GREENLEE', '17', '0', '0', '0', '', '', ''];

/** `k` ids of the file, then `k` ids absent from it plus the edge ids 0 and 15 nines (seeded). */
export function sampleIds(year: string, k: number, seed: number): number[] {
  const rng = mulberry32(seed);
  return [...pickIds(year, k, rng), ...absentIds(year, k, rng)];
}
