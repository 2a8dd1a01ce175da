// The live view's HTTP server (issue 16; `stormdht manager --http`): read-only, on 127.0.0.1
// unless told otherwise. GET / is the page, GET /state the view as JSON, GET /events the stream
// of states (state-stream.ts), and the page's style and scripts; anything else is 404, and any
// method but GET and HEAD is 405. The page may fetch nothing from anywhere else (its
// Content-Security-Policy says so): it works offline.
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { realClock, type Clock } from '../transport/clock.js';
import type { Address } from '../transport/udp-socket.js';
import { pageHtml, PAGE_SCRIPT_PATH, PAGE_STYLE, STYLE_PATH } from './page-html.js';
import { StateStream } from './state-stream.js';
import type { ViewState } from './view-types.js';

/** The page's built scripts: `dist/web`, beside the `dist/src` this module is built into. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

/** Clients of /events at once; more are refused with 503 (each costs a view every 200 ms). */
export const MAX_STREAM_CLIENTS = 64;

const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

interface Asset {
  readonly type: string;
  readonly body: string | Buffer;
}

export interface LiveServerOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  /** The current view. */
  readonly view: () => ViewState;
  /** Where the page's built scripts are (default DEFAULT_WEB_DIR). */
  readonly webDir?: string;
  readonly clock?: Clock;
}

export class LiveServer {
  private readonly stream: StateStream;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly server: http.Server,
    private readonly view: () => ViewState,
    private readonly assets: ReadonlyMap<string, Asset>,
    clock: Clock,
  ) {
    this.stream = new StateStream(clock, () => JSON.stringify(this.view()));
    server.on('request', (req, res) => this.onRequest(req, res));
  }

  /** Listens on host:port; rejects with the listen error (e.g. code EADDRINUSE). */
  static async start(options: LiveServerOptions): Promise<LiveServer> {
    const server = http.createServer();
    const assets = loadAssets(options.webDir ?? DEFAULT_WEB_DIR);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new LiveServer(server, options.view, assets, options.clock ?? realClock);
  }

  get address(): Address {
    const a = this.server.address();
    return typeof a === 'object' && a !== null ? { ip: a.address, port: a.port } : { ip: '', port: 0 };
  }

  /** False when the page's script was not built (the page then shows the state it was sent with). */
  get scriptBuilt(): boolean {
    return this.assets.has(PAGE_SCRIPT_PATH);
  }

  /** Ends every stream and connection, and stops listening. Safe twice. */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      this.stream.close();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', `${req.method} is not allowed: the live view is read-only\n`, { Allow: 'GET, HEAD' });
      return;
    }
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname === '/') send(res, 200, 'text/html; charset=utf-8', pageHtml(this.view()));
    else if (pathname === '/state') send(res, 200, 'application/json', `${JSON.stringify(this.view())}\n`);
    else if (pathname === '/events') this.onStream(req, res);
    else {
      const asset = this.assets.get(pathname);
      if (asset === undefined) send(res, 404, 'text/plain; charset=utf-8', `${pathname} not found\n`);
      else send(res, 200, asset.type, asset.body);
    }
  }

  private onStream(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.stream.size >= MAX_STREAM_CLIENTS || this.closing !== null) {
      send(res, 503, 'text/plain; charset=utf-8', `too many clients of /events (at most ${MAX_STREAM_CLIENTS})\n`);
      return;
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.socket?.setNoDelay(true);
    this.stream.add(res);
    res.on('close', () => this.stream.remove(res));
  }
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...extra, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * The style sheet, and every script of the built page, by the path it is served at: read once, at
 * start. Only these are served: no path from a request ever reaches the file system.
 */
function loadAssets(webDir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>([[STYLE_PATH, { type: 'text/css; charset=utf-8', body: PAGE_STYLE }]]);
  let files: string[];
  try {
    files = readdirSync(webDir, { recursive: true, encoding: 'utf8' });
  } catch {
    return assets; // not built: the page still shows the state it is sent with
  }
  for (const file of files) {
    if (!/\.m?js$/.test(file)) continue;
    const url = `/${file.split(path.sep).join('/')}`;
    assets.set(url, { type: 'text/javascript; charset=utf-8', body: readFileSync(path.join(webDir, file)) });
  }
  return assets;
}
