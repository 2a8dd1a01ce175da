// Host names where an address is typed (issue 15): resolveHost (transport/host-names.ts) and the
// command line's parseHost (cli/options.ts), over an injected resolver: no lookup leaves the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHost } from '../../src/cli/options.js';
import { UsageError } from '../../src/cli/usage.js';
import { resolveHost, type LookupIpv4 } from '../../src/transport/host-names.js';

const USAGE = 'usage: test';

/** A resolver that knows `names` and answers anything else as getaddrinfo does (ENOTFOUND); it notes every question. */
function fakeResolver(names: Readonly<Record<string, string>>): LookupIpv4 & { asked: string[] } {
  const asked: string[] = [];
  const lookup = async (host: string): Promise<string> => {
    asked.push(host);
    const ip = names[host];
    if (ip !== undefined) return ip;
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  };
  return Object.assign(lookup, { asked });
}

/** A UsageError carrying USAGE whose message is `message`. */
function usageError(message: string | RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof UsageError, String(err));
    assert.equal(err.usage, USAGE);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  };
}

test('a host name is looked up, once, and its IPv4 address is the answer', async () => {
  const names = { localhost: '127.0.0.1', 'localhost.': '127.0.0.1', 'db-1.example.org': '10.0.0.7', a: '10.0.0.8', '1host.example': '10.0.0.9', 'A-B.Example': '10.0.0.10' };
  const lookup = fakeResolver(names);
  for (const [name, ip] of Object.entries(names)) assert.deepEqual(await resolveHost(name, lookup), { ok: true, ip }, name);
  assert.deepEqual(lookup.asked, Object.keys(names), 'each name asked once, as typed');
});

test('digits and dots are never looked up: they come back unchanged, for the IPv4 check', async () => {
  const lookup = fakeResolver({});
  for (const text of ['127.0.0.1', '0.0.0.0', '1.2.3', '300.1.1.1', '01.2.3.4', '1.2.3.4.5', '', '7000']) {
    assert.deepEqual(await resolveHost(text, lookup), { ok: true, ip: text }, JSON.stringify(text));
  }
  assert.deepEqual(lookup.asked, []);
});

test('what is neither an address nor a host name is refused without a lookup, quoted', async () => {
  const lookup = fakeResolver({});
  const cases = ['foo_bar', '-host', 'host-', 'a..b', '.localhost', ' localhost', 'localhost ', 'host:7000', 'x'.repeat(64), `${'a.'.repeat(127)}a`, 'héllo'];
  for (const text of cases) {
    assert.deepEqual(await resolveHost(text, lookup), { ok: false, error: `${JSON.stringify(text)} is neither an IPv4 address nor a host name` }, JSON.stringify(text));
  }
  for (const text of ['::1', 'fe80::1', '::ffff:127.0.0.1']) {
    assert.deepEqual(await resolveHost(text, lookup), { ok: false, error: `${JSON.stringify(text)} is an IPv6 address: stormdht speaks IPv4 only` }, text);
  }
  assert.deepEqual(lookup.asked, []);
});

test('a name that does not resolve says so in one line, with the resolver\'s code', async () => {
  assert.deepEqual(await resolveHost('nosuchhost.invalid', fakeResolver({})), { ok: false, error: 'cannot resolve "nosuchhost.invalid" to an IPv4 address (ENOTFOUND)' });
  const timedOut: LookupIpv4 = () => Promise.reject(Object.assign(new Error('queryA ETIMEOUT x'), { code: 'EAI_AGAIN' }));
  assert.deepEqual(await resolveHost('slow.example', timedOut), { ok: false, error: 'cannot resolve "slow.example" to an IPv4 address (EAI_AGAIN)' });
  const odd: LookupIpv4 = () => Promise.reject(new Error('resolver gone'));
  assert.deepEqual(await resolveHost('odd.example', odd), { ok: false, error: 'cannot resolve "odd.example" to an IPv4 address (resolver gone)' });
});

test('parseHost: an IPv4 address as parseIp has it, a name as its address', async () => {
  const lookup = fakeResolver({ localhost: '127.0.0.1' });
  assert.equal(await parseHost('10.0.0.2', '--host', USAGE, lookup), '10.0.0.2');
  assert.equal(await parseHost('localhost', 'manager-ip', USAGE, lookup), '127.0.0.1');
  assert.deepEqual(lookup.asked, ['localhost']);
});

test('parseHost refuses with a UsageError that names the argument', async () => {
  const lookup = fakeResolver({ weird: 'not-an-address' });
  await assert.rejects(parseHost('nosuchhost.invalid', 'manager-ip', USAGE, lookup), usageError('manager-ip: cannot resolve "nosuchhost.invalid" to an IPv4 address (ENOTFOUND)'));
  await assert.rejects(parseHost('my_host', '--host', USAGE, lookup), usageError('--host: "my_host" is neither an IPv4 address nor a host name'));
  await assert.rejects(parseHost('::1', '--host', USAGE, lookup), usageError('--host: "::1" is an IPv6 address: stormdht speaks IPv4 only'));
  // Digits and dots keep the words of the IPv4 check; a resolver's answer is checked too.
  await assert.rejects(parseHost('1.2.3', '--host', USAGE, lookup), usageError(/^--host: IPv4 address "1\.2\.3" is invalid: use a dotted quad/));
  await assert.rejects(parseHost('weird', '--host', USAGE, lookup), usageError(/^--host: IPv4 address "not-an-address" is invalid/));
  await assert.rejects(parseHost(undefined, 'manager-ip', USAGE, lookup), usageError('missing manager-ip'));
  assert.deepEqual(lookup.asked, ['nosuchhost.invalid', 'weird']);
});
