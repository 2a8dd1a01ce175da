// `stormdht cluster --json` (issue 15): one JSON object per line. A process's line is the object
// it printed itself (SPEC §14: results, traces, notes; the manager's listening line), with one key
// added, `process`: the peer's name or "manager". The cluster's own lines are events of process
// "cluster":
//
//   {"type":"event","event":"command","line":"query-dht bob 5536849","at":…,"process":"cluster"}   a line run
//   {"type":"event","event":"answer","line":"5536849",…}            the line given to a peer's D1 prompt
//   {"type":"event","event":"message","text":"bob: process 4242 killed with SIGKILL, …",…}   a builtin's answer
//   {"type":"event","event":"note","level":"info","text":"data: …",…}                        commentary
//   {"type":"event","event":"error","text":"unknown peer \"zed\": …",…}                      the cluster's error
//   {"type":"event","event":"live-view","url":"http://127.0.0.1:8080/",…}                    where --http serves the view
//
// `at` is when the line was printed, in ms since the epoch; the processes' event lines have it too.
import type { JsonLine } from './processes.js';

/** The `process` of the cluster's own lines; no peer may take this name. */
export const CLUSTER_PROCESS = 'cluster';

/** One of the cluster's own lines, before its type, time and process are added. */
export type ClusterEvent =
  | { readonly event: 'command' | 'answer'; readonly line: string }
  | { readonly event: 'message' | 'error' | 'announce'; readonly text: string }
  | { readonly event: 'note'; readonly level: 'info'; readonly text: string }
  | { readonly event: 'live-view'; readonly url: string };

/** The JSON object of one of the cluster's own lines, printed at `at`. */
export function clusterJson(e: ClusterEvent, at: number): Record<string, unknown> {
  return { type: 'event', ...e, at, process: CLUSTER_PROCESS };
}

/**
 * A process's line as it printed it, naming the process. A line that was not JSON (a process
 * prints none in --json, but one that crashed may) becomes a text event.
 */
export function childJson(label: string, line: JsonLine): Record<string, unknown> {
  if (line.type === 'text') return { type: 'event', event: 'text', text: line.text, process: label };
  return { ...line, process: label };
}
