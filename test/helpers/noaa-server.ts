// A stand-in for NOAA NCEI's Storm Events directory on 127.0.0.1 (this machine cannot reach
// NOAA): an Apache-style index page at /csvfiles/ and the files the test hands it. Anything else
// is a 404. Requests are recorded so a test can check which version was downloaded.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An Apache 2.4 "Index of" page linking to `names` (sizes and dates are decoration). */
export function apacheListing(names: readonly string[]): string {
  const rows = names.map((n, i) => `<tr><td valign="top"><img src="/icons/compressed.gif" alt="[   ]"></td><td><a href="${n}">${n}</a></td><td align="right">2024-0${(i % 9) + 1}-17 10:4${i % 10}  </td><td align="right">${100 + i}K</td><td>&nbsp;</td></tr>`);
  return [
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">',
    '<html>',
    ' <head>',
    '  <title>Index of /pub/data/swdi/stormevents/csvfiles</title>',
    ' </head>',
    ' <body>',
    '<h1>Index of /pub/data/swdi/stormevents/csvfiles</h1>',
    '  <table>',
    '   <tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th><th><a href="?C=D;O=A">Description</a></th></tr>',
    '   <tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="/pub/data/swdi/stormevents/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td><td>&nbsp;</td></tr>',
    '<tr><td valign="top"><img src="/icons/folder.gif" alt="[DIR]"></td><td><a href="legacy/">legacy/</a></td><td align="right">2024-01-02 09:00  </td><td align="right">  - </td><td>&nbsp;</td></tr>',
    '<tr><td valign="top"><img src="/icons/text.gif" alt="[TXT]"></td><td><a href="Storm-Data-Bulk-csv-Format.pdf">Storm-Data-Bulk-csv-Format.pdf</a></td><td align="right">2021-06-11 12:00  </td><td align="right">1.2M</td><td>&nbsp;</td></tr>',
    ...rows,
    '  </table>',
    '<address>Apache Server at www.ncei.noaa.gov Port 443</address>',
    '</body></html>',
  ].join('\n');
}

export interface FakeNoaa {
  /** http://127.0.0.1:PORT/csvfiles/ */
  readonly baseUrl: string;
  /** Paths requested, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Serves `listing` at /csvfiles/ and each of `files` at /csvfiles/<name>. */
export async function startFakeNoaa(listing: string, files: ReadonlyMap<string, Buffer>): Promise<FakeNoaa> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
    const name = decodeURIComponent(url.replace(/^\/csvfiles\//, ''));
    if (url === '/csvfiles/') {
      res.writeHead(200, { 'content-type': 'text/html;charset=ISO-8859-1' }).end(listing);
    } else if (url.startsWith('/csvfiles/') && files.has(name)) {
      const body = files.get(name)!;
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
      // In pieces, so the client sees a download in progress.
      for (let i = 0; i < body.length; i += 4096) res.write(body.subarray(i, i + 4096));
      res.end();
    } else {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body><h1>Not Found</h1></body></html>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/csvfiles/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
