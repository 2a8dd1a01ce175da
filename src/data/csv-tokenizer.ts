// A streaming RFC 4180 tokenizer for NOAA's bulk Storm Events files. Those files quote text
// fields, and a quoted field may hold commas, doubled quotes ("") and line breaks (the episode
// and event narratives), so they cannot be split by line. Text is pushed in chunks of any size,
// cut anywhere (inside a quoted field, between the two quotes of "", between CR and LF), and
// every complete record comes back as soon as its terminator has been seen.
// Pure: no I/O. Syntax errors throw CsvSyntaxError naming the line where the record began.

/** A record that breaks RFC 4180, or a field too long to be a storm-event value. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    /** 1-based physical line where the offending record began. */
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

export interface CsvTokenizerOptions {
  /**
   * Longest field accepted, in characters. Bounds memory on input that is not CSV (a binary file
   * with no line break would otherwise grow one field without end). Default 1 MiB: NOAA's longest
   * narratives are a few KB.
   */
  readonly maxFieldLength?: number;
}

/** One record: its fields, unquoted, and the 1-based line where it began. */
export interface CsvRecord {
  readonly fields: string[];
  readonly line: number;
}

const DEFAULT_MAX_FIELD_LENGTH = 1 << 20;

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

/** Where the tokenizer stands between two characters. */
type State =
  | 'FieldStart' // nothing of the current field read yet
  | 'Unquoted' // inside a field that did not start with a quote
  | 'Quoted' // inside a quoted field
  | 'QuoteInQuoted'; // just read a quote inside a quoted field: "" (a quote) or the field's end

export class CsvTokenizer {
  private state: State = 'FieldStart';
  private field = '';
  private row: string[] = [];
  /** The current field began with a quote: `""` on its own line is a record, not a blank line. */
  private fieldQuoted = false;
  /** The last record ended with CR: an LF right after it belongs to the same terminator. */
  private skipLf = false;
  /** The previous chunk ended with CR (inside a quoted field): a leading LF is not a new line. */
  private lastWasCr = false;
  /** 1-based physical line being read, and the line where the current record began. */
  private line = 1;
  private rowLine = 1;
  private readonly maxFieldLength: number;

  constructor(options: CsvTokenizerOptions = {}) {
    this.maxFieldLength = options.maxFieldLength ?? DEFAULT_MAX_FIELD_LENGTH;
  }

  /** Feeds the next piece of text; returns the records it completed. Blank lines yield nothing. */
  push(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (this.skipLf) {
        this.skipLf = false;
        if (c === LF) {
          i++;
          continue;
        }
      }
      switch (this.state) {
        case 'FieldStart':
          if (c === QUOTE) {
            this.state = 'Quoted';
            this.fieldQuoted = true;
            i++;
          } else {
            this.state = 'Unquoted'; // read c again as the first character of an unquoted field
          }
          break;
        case 'Unquoted': {
          // A quote inside an unquoted field is kept as a character, as most readers do.
          let j = i;
          for (; j < n; j++) {
            const d = text.charCodeAt(j);
            if (d === COMMA || d === CR || d === LF) break;
          }
          this.append(text, i, j);
          i = j;
          if (i < n) this.delimiter(text.charCodeAt(i++), out);
          break;
        }
        case 'Quoted': {
          let j = i;
          for (; j < n; j++) {
            const d = text.charCodeAt(j);
            if (d === QUOTE) break;
            // Line breaks inside a field still advance the line count (CRLF counts once).
            if (d === CR || (d === LF && !(j > 0 ? text.charCodeAt(j - 1) === CR : this.lastWasCr))) this.line++;
          }
          this.append(text, i, j);
          i = j;
          if (i < n) {
            this.state = 'QuoteInQuoted';
            i++;
          }
          break;
        }
        case 'QuoteInQuoted':
          if (c === QUOTE) {
            this.field += '"';
            this.checkLength();
            this.state = 'Quoted';
            i++;
          } else if (c === COMMA || c === CR || c === LF) {
            this.delimiter(c, out);
            i++;
          } else {
            throw new CsvSyntaxError(`unexpected ${describeChar(c)} after the closing quote of a field`, this.rowLine);
          }
          break;
      }
    }
    if (n > 0) this.lastWasCr = text.charCodeAt(n - 1) === CR;
    return out;
  }

  /** Ends the input: returns the last record when the text did not end with a line break. */
  end(): CsvRecord[] {
    if (this.state === 'Quoted') throw new CsvSyntaxError('a quoted field is never closed (the input ends inside it)', this.rowLine);
    const out: CsvRecord[] = [];
    if (this.state !== 'FieldStart' || this.row.length > 0) this.endRecord(out);
    this.state = 'FieldStart';
    return out;
  }

  private append(text: string, from: number, to: number): void {
    if (to > from) {
      this.field += text.slice(from, to);
      this.checkLength();
    }
  }

  private checkLength(): void {
    if (this.field.length > this.maxFieldLength) {
      throw new CsvSyntaxError(`a field longer than ${this.maxFieldLength} characters (is this a CSV file?)`, this.rowLine);
    }
  }

  /** A comma, CR or LF outside quotes. */
  private delimiter(c: number, out: CsvRecord[]): void {
    if (c === COMMA) {
      this.row.push(this.field);
      this.field = '';
      this.fieldQuoted = false;
      this.state = 'FieldStart';
      return;
    }
    this.skipLf = c === CR;
    // An empty line (no field, nothing quoted) is no record.
    if (this.row.length > 0 || this.field !== '' || this.fieldQuoted) this.endRecord(out);
    this.line++;
    this.rowLine = this.line;
    this.state = 'FieldStart';
  }

  private endRecord(out: CsvRecord[]): void {
    this.row.push(this.field);
    out.push({ fields: this.row, line: this.rowLine });
    this.row = [];
    this.field = '';
    this.fieldQuoted = false;
  }
}

/** Tokenizes a whole text at once (tests, small inputs). */
export function tokenizeCsv(text: string, options: CsvTokenizerOptions = {}): string[][] {
  const t = new CsvTokenizer(options);
  return [...t.push(text), ...t.end()].map((r) => r.fields);
}

function describeChar(c: number): string {
  return c >= 0x20 && c < 0x7f ? `"${String.fromCharCode(c)}"` : `character 0x${c.toString(16).padStart(2, '0')}`;
}
