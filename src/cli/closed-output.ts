// A program whose reader has gone (`stormdht demo | head -3`: head exits after three lines) ends
// at once and quietly, as a Unix tool killed by SIGPIPE does: no stack trace, no message on a
// stream that may be closed too. Node ignores SIGPIPE, so a write to a closed pipe fails with
// EPIPE instead, as an 'error' event on the stream; without a listener that event would crash the
// process with a stack trace. The processes this one started (processes.ts) are tied to it and
// stop when it exits (parent-watch.ts).

/** The exit status of a program whose output was closed: 128 + SIGPIPE's number, as a shell reports it. */
export const CLOSED_OUTPUT_EXIT = 141;

/** From now on, a failed write to stdout or stderr ends this process with CLOSED_OUTPUT_EXIT. */
export function endQuietlyWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', () => process.exit(CLOSED_OUTPUT_EXIT));
  }
}
