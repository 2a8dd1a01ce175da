// Shared by the simulation's sabotage tests: seeds run with a planted bug until enough of them
// are caught, each by a failure that names its seed and says what broke. Not a test file.
import assert from 'node:assert/strict';
import type { Cluster } from '../../src/sim/cluster.js';
import { runSeed, SimulationFailure, type RunOptions } from '../../src/sim/runner.js';

/** The catches a sabotage test wants. */
export const WANTED = 2;

/**
 * Runs seeds 1…search with the sabotage until WANTED fail; checks each message names its seed and
 * matches `message`, and that the same seed passes without the sabotage; returns the seeds caught.
 */
export async function caughtSeeds(sabotage: (c: Cluster) => void, message: RegExp, options: RunOptions, search: number): Promise<number[]> {
  const caught: number[] = [];
  for (let seed = 1; seed <= search && caught.length < WANTED; seed++) {
    const failure = await runSeed(seed, { ...options, sabotage }).then(
      () => null,
      (err: unknown) => err,
    );
    if (failure === null) continue;
    assert.ok(failure instanceof SimulationFailure, String(failure));
    assert.match(failure.message, new RegExp(`^seed ${seed}: step \\d+ `));
    assert.match(failure.message, message);
    caught.push(seed);
    await runSeed(seed, options); // and the same seed passes without the sabotage
  }
  return caught;
}
