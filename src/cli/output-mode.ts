// What `stormdht peer` and `stormdht cluster` print (issue 15): the human trace (the default),
// the results only (--quiet, like redis-cli), or one JSON object per line (--json, SPEC §14).
import { UsageError } from './usage.js';

export type OutputMode = 'human' | 'quiet' | 'json';

/** The mode that --json and --quiet ask for; both at once is a usage error. */
export function outputMode(json: unknown, quiet: unknown, usage: string): OutputMode {
  if (json === true && quiet === true) {
    throw new UsageError('--quiet and --json do not go together: --json already separates the results (lines of "type":"result") from the rest', usage);
  }
  return json === true ? 'json' : quiet === true ? 'quiet' : 'human';
}
