// One of the five bare processes of the latency scenario's floor (latency-floor.ts): Node, one UDP
// socket on 127.0.0.1 and nothing else, standing where one of a query's processes stands and only
// passing datagrams of the query's sizes on. Its one argument is a RelayConfig in JSON:
//   querier  each line on stdin → `query` to the manager; the manager's answer → `find` to the
//            first ring node; any other datagram (the last node's) → `line` on stdout
//   manager  each datagram → `reply` back to its sender
//   relay    each datagram → the same bytes to `to` (a hot-potato forward)
//   last     each datagram → `result` to `to` (the querier: the deciding node's find-result)
// Once bound it prints `{"event":"listening","port":N}`; it exits when its stdin ends (the
// benchmark closed it, or died). Payloads travel as base64 in the config.
import dgram from 'node:dgram';
import type { RelayConfig } from './latency-floor.js';

const HOST = '127.0.0.1';
const config = JSON.parse(process.argv[2] ?? '{}') as RelayConfig;
const socket = dgram.createSocket('udp4');
const bytes = (base64: string) => Buffer.from(base64, 'base64');

socket.on('error', (err) => {
  process.stderr.write(`latency-relay ${config.role} on ${config.port}: ${err.message}\n`);
  process.exit(1);
});

switch (config.role) {
  case 'manager': {
    const reply = bytes(config.reply);
    socket.on('message', (_msg, from) => socket.send(reply, from.port, from.address));
    break;
  }
  case 'relay':
    socket.on('message', (msg) => socket.send(msg, config.to, HOST));
    break;
  case 'last': {
    const result = bytes(config.result);
    socket.on('message', () => socket.send(result, config.to, HOST));
    break;
  }
  case 'querier': {
    const query = bytes(config.query);
    const find = bytes(config.find);
    // Stop and wait: one query at a time, so the sender's port tells the two answers apart.
    socket.on('message', (_msg, from) => {
      if (from.port === config.manager) socket.send(find, config.first, HOST);
      else process.stdout.write(config.line);
    });
    let pending = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      pending += chunk;
      for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
        pending = pending.slice(i + 1);
        socket.send(query, config.manager, HOST);
      }
    });
    break;
  }
}

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
socket.bind(config.port, HOST, () => process.stdout.write(`{"event":"listening","port":${socket.address().port}}\n`));
