// csv-tokenizer.ts: RFC 4180 records from text pushed in chunks cut anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvSyntaxError, CsvTokenizer, tokenizeCsv, type CsvRecord } from '../../src/data/csv-tokenizer.js';

/** Feeds `pieces` one after the other and collects every record. */
function feed(pieces: readonly string[]): CsvRecord[] {
  const t = new CsvTokenizer();
  const out: CsvRecord[] = [];
  for (const p of pieces) out.push(...t.push(p));
  out.push(...t.end());
  return out;
}

/** Inputs with every feature the bulk files use, and what they must give. */
const CASES: readonly { name: string; text: string; rows: string[][] }[] = [
  { name: 'plain LF', text: 'a,b,c\n1,2,3\n', rows: [['a', 'b', 'c'], ['1', '2', '3']] },
  { name: 'CRLF, no final terminator', text: 'a,b\r\n1,2', rows: [['a', 'b'], ['1', '2']] },
  { name: 'bare CR', text: 'a,b\r1,2\r', rows: [['a', 'b'], ['1', '2']] },
  { name: 'empty fields and a trailing comma', text: ',x,\r\n,,\r\n', rows: [['', 'x', ''], ['', '', '']] },
  { name: 'quoted commas', text: '"a,b",c\r\n"1, 2, 3",4', rows: [['a,b', 'c'], ['1, 2, 3', '4']] },
  { name: 'doubled quotes', text: '"say ""hi""","""",x\n', rows: [['say "hi"', '"', 'x']] },
  {
    name: 'line breaks inside quotes',
    text: '1,"first line\r\nsecond, line\nthird\rfourth",z\r\n2,"",""\r\n',
    rows: [['1', 'first line\r\nsecond, line\nthird\rfourth', 'z'], ['2', '', '']],
  },
  { name: 'blank lines are skipped', text: '\r\n\r\na\r\n\nb\n\n', rows: [['a'], ['b']] },
  { name: 'a quoted empty field is a record', text: '""\n', rows: [['']] },
  { name: 'a quote inside an unquoted field is kept', text: 'ab"c,d\n', rows: [['ab"c', 'd']] },
];

test('whole inputs tokenize to the expected records', () => {
  for (const c of CASES) assert.deepEqual(tokenizeCsv(c.text), c.rows, c.name);
});

test('a chunk boundary at every position (and every pair of positions) gives the same records', () => {
  for (const c of CASES) {
    const n = c.text.length;
    for (let i = 0; i <= n; i++) {
      assert.deepEqual(feed([c.text.slice(0, i), c.text.slice(i)]).map((r) => r.fields), c.rows, `${c.name}, split at ${i}`);
      for (let j = i; j <= n; j++) {
        const rows = feed([c.text.slice(0, i), c.text.slice(i, j), c.text.slice(j)]).map((r) => r.fields);
        assert.deepEqual(rows, c.rows, `${c.name}, split at ${i} and ${j}`);
      }
    }
    assert.deepEqual(feed([...c.text]).map((r) => r.fields), c.rows, `${c.name}, one character at a time`);
  }
});

test('records carry the line they began on, counting line breaks inside quotes once each', () => {
  const text = 'h1,h2\r\n"a\r\nb",1\r\n\r\nc,"x\ny\rz"\r\nd,2';
  const expected = [1, 2, 5, 8];
  for (let i = 0; i <= text.length; i++) {
    assert.deepEqual(feed([text.slice(0, i), text.slice(i)]).map((r) => r.line), expected, `split at ${i}`);
  }
});

test('an unclosed quote and text after a closing quote are syntax errors naming the line', () => {
  assert.throws(() => tokenizeCsv('a,b\n1,"open\n2,3\n'), (e: unknown) => e instanceof CsvSyntaxError && e.line === 2 && /never closed/.test(e.message));
  assert.throws(() => tokenizeCsv('a\n"x"y,1\n'), (e: unknown) => e instanceof CsvSyntaxError && e.line === 2 && /after the closing quote/.test(e.message));
});

test('a field longer than the limit is refused, so binary input cannot grow without bound', () => {
  assert.deepEqual(tokenizeCsv('abcd,e', { maxFieldLength: 4 }), [['abcd', 'e']]);
  assert.throws(() => tokenizeCsv('abcde,e', { maxFieldLength: 4 }), /longer than 4 characters/);
  assert.throws(() => tokenizeCsv('"ab""cd"', { maxFieldLength: 4 }), /longer than 4 characters/);
  const t = new CsvTokenizer({ maxFieldLength: 4 });
  t.push('ab');
  assert.throws(() => t.push('cde'), CsvSyntaxError);
});
