// options.ts: the checks on argument values, each refusing with a UsageError that names the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, parseIp, parsePort, parsePortRange } from '../../src/cli/options.js';
import { UsageError } from '../../src/cli/usage.js';

const USAGE = 'usage: test';

/** A UsageError carrying USAGE and a message that matches `pattern`. */
function usageError(pattern: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof UsageError, String(err));
    assert.equal(err.usage, USAGE);
    assert.match(err.message, pattern);
    return true;
  };
}

test('parsePort accepts 1–65535, and 0 only when allowed', () => {
  assert.equal(parsePort('1', 'port', USAGE), 1);
  assert.equal(parsePort('7001', 'port', USAGE), 7001);
  assert.equal(parsePort('65535', 'port', USAGE), 65535);
  assert.equal(parsePort('0', 'port', USAGE, true), 0);
  assert.equal(parsePort('08080', 'port', USAGE), 8080, 'leading zeros are plain decimal');
});

test('parsePort refuses everything else', () => {
  for (const text of ['0', '65536', '99999', '-1', '', ' 80', '80 ', '1e3', '80.0', '0x50', '+80', 'http', '123456']) {
    assert.throws(() => parsePort(text, 'manager-port', USAGE), usageError(/^manager-port ".*" is not a port number \(1-65535\)$/), JSON.stringify(text));
  }
  assert.throws(() => parsePort('65536', 'port', USAGE, true), usageError(/\(0-65535\)/));
  assert.throws(() => parsePort(undefined, 'manager-port', USAGE), usageError(/^missing manager-port$/));
});

test('parsePortRange accepts LO-HI with 1024 <= LO < HI <= 65535', () => {
  assert.deepEqual(parsePortRange('7001-7499', USAGE), { lo: 7001, hi: 7499 });
  assert.deepEqual(parsePortRange('1024-65535', USAGE), { lo: 1024, hi: 65535 });
  assert.deepEqual(parsePortRange('1024-1025', USAGE), { lo: 1024, hi: 1025 });
});

test('parsePortRange refuses the rest', () => {
  for (const text of ['1023-2000', '2000-2000', '3000-2000', '1024-65536', '7001', '7001-', '-7001', '7001-7499-7600', 'a-b', '7001 - 7499', '7001–7499', '']) {
    assert.throws(() => parsePortRange(text, USAGE), usageError(/^--port-range ".*" is invalid/), JSON.stringify(text));
  }
});

test('parseIp accepts dotted quads and refuses the rest', () => {
  for (const ip of ['127.0.0.1', '0.0.0.0', '255.255.255.255', '10.0.0.2']) assert.equal(parseIp(ip, 'manager-ip', USAGE), ip);
  for (const ip of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', 'localhost', '', ' 1.2.3.4', '1.2.3.-4', '::1']) {
    assert.throws(() => parseIp(ip, 'manager-ip', USAGE), usageError(/^manager-ip: IPv4 address ".*" is invalid/), JSON.stringify(ip));
  }
  assert.throws(() => parseIp(undefined, 'manager-ip', USAGE), usageError(/^missing manager-ip$/));
});

test('parse turns an unknown option or a missing value into a UsageError', () => {
  const options = { json: { type: 'boolean' }, 'port-range': { type: 'string' } } as const;
  assert.deepEqual(parse(['127.0.0.1', '4000', '--json'], options, USAGE).positionals, ['127.0.0.1', '4000']);
  assert.equal(parse(['--port-range', '7001-7002'], options, USAGE).values['port-range'], '7001-7002');
  assert.throws(() => parse(['--bogus'], options, USAGE), usageError(/bogus/));
  assert.throws(() => parse(['--port-range'], options, USAGE), usageError(/port-range/));
});
