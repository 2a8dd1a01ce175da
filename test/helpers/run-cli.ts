// Runs the compiled `stormdht` CLI as a child process and collects what it printed. Asynchronous,
// so a server in the test's own process (the fake NOAA) can answer the child meanwhile.
import { execFile } from 'node:child_process';
import { MAIN_SCRIPT } from '../../src/cli/processes.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment without the variables that would change where the CLI reads and writes. */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!('STORMDHT_DATA_DIR' in extra)) delete env.STORMDHT_DATA_DIR;
  return env;
}

export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN_SCRIPT, ...args], { cwd: options.cwd, env: cleanEnv(options.env ?? {}), encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A readable account of a run, for assertion messages. */
export function showRun(run: CliRun): string {
  return `exit ${run.code}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`;
}
