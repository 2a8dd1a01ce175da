// The syntax checks of SPEC §2 / D11 that the manager and the peer share: each valid value passes,
// each invalid one is refused with a message that names it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkIpv4,
  checkPeerName,
  checkPort,
  checkRingSize,
  checkYear,
  PEER_NAME,
  quote,
} from '../../src/manager/validate.js';

test('peer names are 1 to 15 letters, either case', () => {
  for (const name of ['a', 'bob', 'Bob', 'ALICE', 'abcdefghijklmno']) assert.equal(checkPeerName(name), null, name);
  for (const name of ['', 'peer1', 'abcdefghijklmnop', 'bo b', 'bób', 'bob\n', '_x', 'a-b']) {
    assert.equal(checkPeerName(name), `peer name ${JSON.stringify(name)} is invalid: use 1 to 15 letters`, name);
  }
  assert.equal(checkPeerName('peer1'), 'peer name "peer1" is invalid: use 1 to 15 letters');
  assert.ok(PEER_NAME.test('bob') && !PEER_NAME.test('bob1'));
});

test('IPv4 addresses are dotted quads of octets 0-255 without leading zeros', () => {
  for (const ip of ['127.0.0.1', '0.0.0.0', '255.255.255.255', '10.0.10.200', '192.168.1.9']) {
    assert.equal(checkIpv4(ip), null, ip);
  }
  const invalid = ['', '127.0.0', '127.0.0.1.1', '256.0.0.1', '1.2.3.999', '1..2.3', '+1.2.3.4', '1.2.3.-4', '01.2.3.4',
    '1.2.3.00', ' 1.2.3.4', '1.2.3.4 ', 'a.b.c.d', '1.2.3.4/24', '::1', '1e2.0.0.1', '0x7f.0.0.1'];
  for (const ip of invalid) {
    assert.equal(
      checkIpv4(ip),
      `IPv4 address ${JSON.stringify(ip)} is invalid: use a dotted quad of four decimal octets 0-255, without leading zeros`,
      ip,
    );
  }
});

test('ports are integers 1024-65535, named by their label', () => {
  for (const port of [1024, 7001, 65535]) assert.equal(checkPort(port, 'm-port'), null);
  assert.equal(checkPort(1023, 'm-port'), 'm-port 1023 is invalid: use an integer 1024-65535');
  assert.equal(checkPort(65536, 'p-port'), 'p-port 65536 is invalid: use an integer 1024-65535');
  assert.equal(checkPort(7001.5, 'p-port'), 'p-port 7001.5 is invalid: use an integer 1024-65535');
  assert.equal(checkPort('7001', 'p-port'), 'p-port "7001" is invalid: use an integer 1024-65535');
  for (const port of [NaN, Infinity, -7001, 0, null, undefined, true]) assert.notEqual(checkPort(port, 'm-port'), null);
});

test('n is an integer of at least 3', () => {
  for (const n of [3, 4, 10, 1000]) assert.equal(checkRingSize(n), null);
  assert.equal(checkRingSize(2), 'n must be an integer of at least 3 (got 2)');
  assert.equal(checkRingSize(3.5), 'n must be an integer of at least 3 (got 3.5)');
  assert.equal(checkRingSize('5'), 'n must be an integer of at least 3 (got "5")');
  for (const n of [NaN, Infinity, -3, 0, null]) assert.notEqual(checkRingSize(n), null);
});

test('a year is four decimal digits', () => {
  for (const year of ['1950', '1996', '0000', '2019']) assert.equal(checkYear(year), null);
  for (const year of ['96', '19960', '199x', ' 1996', '１９９６', '']) {
    assert.equal(checkYear(year), `year ${JSON.stringify(year)} is invalid: use four decimal digits`, year);
  }
});

test('checks never throw on values of the wrong type', () => {
  for (const value of [undefined, null, 42, {}, []]) {
    assert.equal(typeof checkPeerName(value as string), 'string');
    assert.equal(typeof checkIpv4(value as string), 'string');
    assert.equal(typeof checkYear(value as string), 'string');
  }
});

test('offending values are quoted when strings and cut to 40 characters', () => {
  assert.equal(quote('bob'), '"bob"');
  assert.equal(quote(2), '2');
  assert.equal(quote('x'.repeat(100)), JSON.stringify(`${'x'.repeat(40)}…`));
  assert.ok((checkPeerName('y'.repeat(60_000)) ?? '').length < 100);
});
