// `stormdht cluster --http PORT` (and `npm start -- --http PORT`), issue 16 §2: the cluster's own
// live view. Its manager serves its view on a port of its own (127.0.0.1, any free port); the
// cluster follows that view's stream and serves it on PORT with the cluster's part added (each
// query's hot-potato path, the current command's messages: cluster-trace.ts). The same page draws
// both views.
import { LiveServer } from '../live/http-server.js';
import { StateFollower } from '../live/state-follower.js';
import type { ViewState } from '../live/view-types.js';
import { ClusterTrace } from './cluster-trace.js';
import type { JsonLine } from './processes.js';
import { lineTime } from './time-order.js';

/** How long the cluster waits for its manager's first state before serving without it, in ms. */
const FIRST_STATE_MS = 5_000;

/** The view before the manager's first state has come. */
const NO_STATE: ViewState = { mode: 'Idle', waitingFor: null, replicas: 1, peers: [], dht: null, departed: [], events: [] };

export interface ClusterLiveOptions {
  /** The manager's own live view (its `live-view` line's url). */
  readonly managerUrl: string;
  readonly host: string;
  readonly port: number;
  /** The manager's label, then the peers' names. */
  readonly processes: readonly string[];
}

export class ClusterLiveView {
  private constructor(
    private readonly follower: StateFollower,
    private readonly trace: ClusterTrace,
    private readonly server: LiveServer,
  ) {}

  /** Follows the manager's view and serves the cluster's; rejects with the listen error (code EADDRINUSE …). */
  static async start(options: ClusterLiveOptions): Promise<ClusterLiveView> {
    const trace = new ClusterTrace(options.processes, lineTime);
    // Each query is drawn on the ring it was asked of, which a leave, join or repair changes later.
    const follower = new StateFollower(options.managerUrl, (state) => trace.setRing(state.dht?.members.map((m) => m.name) ?? []));
    try {
      await follower.first(FIRST_STATE_MS);
      const view = () => clusterView(follower.latest ?? NO_STATE, trace);
      return new ClusterLiveView(follower, trace, await LiveServer.start({ host: options.host, port: options.port, view }));
    } catch (err) {
      follower.close();
      throw err;
    }
  }

  get url(): string {
    const { ip, port } = this.server.address;
    return `http://${ip}:${port}/`;
  }

  /** A command line begins (typed, or run by a script or the demo). */
  command(line: string): void {
    this.trace.command(line);
  }

  /** A line of one of the processes. */
  line(label: string, line: JsonLine): void {
    this.trace.line(label, line);
  }

  close(): Promise<void> {
    this.follower.close();
    return this.server.close();
  }
}

/** The manager's view and the cluster's part. */
export function clusterView(manager: ViewState, trace: ClusterTrace): ViewState {
  return { ...manager, cluster: trace.view() };
}
