// The children of `stormdht cluster` and `stormdht demo` end with their parent, however it ends:
// a parent killed by SIGKILL runs no code, so it cannot stop them itself. Instead each child gets
// one more pipe from its parent, which it never reads data from and the parent never writes to.
// The kernel closes the parent's end when the parent dies, for any reason; the child then sees the
// end of the pipe and stops as if it had been sent SIGTERM (a peer leaves its sockets, the manager
// closes its own). A manager or peer started by hand gets no such pipe and watches nothing.
import net from 'node:net';

/** The environment variable that tells a child which of its file descriptors is the parent's pipe. */
export const PARENT_FD_ENV = 'STORMDHT_PARENT_FD';

/** The pipe's place among the child's stdio: after stdin, stdout and stderr. */
export const PARENT_FD = 3;

/** The environment of a child tied to this process: `env` with the pipe's descriptor named. */
export function tiedChildEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, [PARENT_FD_ENV]: String(PARENT_FD) };
}

/**
 * In a child started by a stormdht parent (the variable is set): stops this process with SIGTERM,
 * through its own handlers, once the parent's pipe closes. Elsewhere does nothing. The watch
 * never keeps the process alive by itself.
 */
export function watchParent(): void {
  const fd = Number(process.env[PARENT_FD_ENV]);
  // The variable is for this process alone: a process it starts is not tied to its parent's pipe.
  delete process.env[PARENT_FD_ENV];
  if (!Number.isInteger(fd) || fd < PARENT_FD) return;
  let pipe: net.Socket;
  try {
    pipe = new net.Socket({ fd, readable: true, writable: false });
  } catch {
    return; // not a pipe (the variable came from somewhere else): nothing to watch
  }
  let gone = false;
  const parentGone = () => {
    if (gone) return;
    gone = true;
    pipe.destroy();
    process.kill(process.pid, 'SIGTERM');
  };
  pipe.on('end', parentGone);
  pipe.on('close', parentGone);
  pipe.on('error', parentGone);
  pipe.resume();
  pipe.unref();
}
