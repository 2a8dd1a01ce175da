// fields.ts: the record shape and the event-id rule of SPEC §2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIELD_COUNT, FIELD_NAMES, isValidFields, parseEventId, recordToObject } from '../../src/data/fields.js';

const ROW = ['5536849', 'ALABAMA', '1996', 'January', 'Winter Storm', 'Z', 'SHELBY', '0', '0', '0', '0', '10K', '1K', ''];

test('there are 14 field names, event_id first and tor_f_scale last', () => {
  assert.equal(FIELD_COUNT, 14);
  assert.equal(FIELD_NAMES.length, 14);
  assert.equal(FIELD_NAMES[0], 'event_id');
  assert.equal(FIELD_NAMES[13], 'tor_f_scale');
});

test('recordToObject keys the fields in FIELD_NAMES order, values verbatim', () => {
  const obj = recordToObject(ROW);
  assert.deepEqual(Object.keys(obj), [...FIELD_NAMES]);
  assert.equal(obj.event_id, '5536849');
  assert.equal(obj.cz_name, 'SHELBY');
  assert.equal(obj.tor_f_scale, '');
  assert.equal(
    JSON.stringify(obj),
    '{"event_id":"5536849","state":"ALABAMA","year":"1996","month_name":"January","event_type":"Winter Storm","cz_type":"Z","cz_name":"SHELBY","injuries_direct":"0","injuries_indirect":"0","deaths_direct":"0","deaths_indirect":"0","damage_property":"10K","damage_crops":"1K","tor_f_scale":""}',
  );
});

test('recordToObject refuses a field array of the wrong length', () => {
  assert.throws(() => recordToObject(ROW.slice(0, 13)), /14 fields, got 13/);
});

test('isValidFields accepts exactly 14 strings and nothing else', () => {
  assert.equal(isValidFields(ROW), true);
  assert.equal(isValidFields(new Array(14).fill('')), true);
  assert.equal(isValidFields(ROW.slice(1)), false);
  assert.equal(isValidFields([...ROW, '']), false);
  assert.equal(isValidFields([...ROW.slice(0, 13), 5]), false);
  assert.equal(isValidFields('5536849,ALABAMA'), false);
  assert.equal(isValidFields(null), false);
  assert.equal(isValidFields({ length: 14 }), false);
});

test('parseEventId accepts 1 to 15 decimal digits', () => {
  assert.equal(parseEventId('5536849'), 5536849);
  assert.equal(parseEventId('0'), 0);
  assert.equal(parseEventId('007'), 7);
  assert.equal(parseEventId('999999999999999'), 999999999999999);
});

test('parseEventId refuses signs, spaces, fractions, exponents, blanks and 16 digits', () => {
  for (const bad of ['', ' 5', '5 ', '+5', '-5', '5.0', '1e6', '12a', '0x1F', '1234567890123456']) {
    assert.equal(parseEventId(bad), null, JSON.stringify(bad));
  }
});
