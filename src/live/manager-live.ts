// `stormdht manager --http` (issue 16): the event log that the manager's observations fill, and
// the live view's server, which draws the manager's state, its detector's view and its peers'
// figures as they are at each request.
import type { ManagerObservation, ManagerServer } from '../manager/server.js';
import { EventLog } from './event-log.js';
import { LiveServer } from './http-server.js';
import { buildViewState } from './view-state.js';
import type { ViewState } from './view-types.js';

/** What the view reads of the manager. */
export type ViewedManager = Pick<ManagerServer, 'state' | 'dead' | 'figures'>;

export class ManagerLiveView {
  private readonly log = new EventLog();
  private server: LiveServer | null = null;

  /** @param wallClock the event log's times, in ms since the epoch */
  constructor(private readonly wallClock: () => number = Date.now) {}

  /** Give it to the manager (ManagerServerOptions.observer). */
  readonly observer = (observation: ManagerObservation): void => this.log.observe(observation, this.wallClock());

  view(manager: ViewedManager): ViewState {
    return buildViewState({ state: manager.state, dead: manager.dead, figures: (name) => manager.figures.get(name), events: this.log.list() });
  }

  /** Serves the view of `manager` on host:port; rejects with the listen error (code EADDRINUSE …). */
  async serve(manager: ViewedManager, host: string, port: number): Promise<LiveServer> {
    this.server = await LiveServer.start({ host, port, view: () => this.view(manager) });
    return this.server;
  }

  /** True when serving, and the page's script was not built: the page does not follow the state. */
  get scriptMissing(): boolean {
    return this.server !== null && !this.server.scriptBuilt;
  }

  /** Safe twice, and before serve. */
  close(): Promise<void> {
    return this.server?.close() ?? Promise.resolve();
  }
}
