// The one error class of the data commands (import, fetch, generate): a failure the user can act
// on, with a string code for tests and scripts. The CLI prints its message without a stack;
// anything else thrown is a bug and keeps its stack.

export type DataErrorCode =
  | 'BAD_FORMAT' // the input is not a NOAA bulk details file, or a record cannot be converted
  | 'READ' // the input cannot be read (missing, a directory, permissions, corrupt gzip)
  | 'WRITE' // the output cannot be written (permissions, disk full)
  | 'EXISTS' // the output exists and holds real data; --force replaces it
  | 'HTTP' // the server answered with an error status
  | 'NETWORK' // the server could not be reached or the transfer broke off
  | 'NOT_LISTED' // the listing has no file for the year asked for
  | 'ABORTED'; // the caller's AbortSignal fired (Ctrl-C): nothing was written

export class DataError extends Error {
  constructor(
    readonly code: DataErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DataError';
  }
}

/** The common fs failures in plain words; anything else keeps Node's own message. */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'file not found';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EEXIST':
    case 'ENOTDIR':
      return 'it, or a directory above it, is a file';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/** The error for work stopped by an AbortSignal; the output was never renamed into place. */
export function abortedError(): DataError {
  return new DataError('ABORTED', 'interrupted; nothing was written');
}
