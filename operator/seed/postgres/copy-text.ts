import type { TextRow } from '../model';

// PostgreSQL's COPY text format: tab-separated fields, newline-terminated rows,
// \N for NULL, and backslash escapes for backslash, tab, newline and CR.

const NEEDS_ESCAPE = /[\\\t\n\r]/;

export function encodeField(value: string | null): string {
  if (value === null) return '\\N';
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** Many rows as one string, so a chunk is one write (never one write per row). */
export function encodeRows(rows: readonly TextRow[]): string {
  let out = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      if (i > 0) out += '\t';
      out += encodeField(row[i]!);
    }
    out += '\n';
  }
  return out;
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

export function decodeField(raw: string): string | null {
  if (raw === '\\N') return null;
  if (!raw.includes('\\')) return raw;
  return raw.replace(
    /\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))/g,
    (_, oct: string | undefined, hex: string | undefined, ch: string | undefined) => {
      if (oct !== undefined) return String.fromCharCode(parseInt(oct, 8));
      if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
      return ESCAPES[ch!] ?? ch!;
    },
  );
}

export function decodeLine(line: string): TextRow {
  return line.split('\t').map(decodeField);
}

/** A PostgreSQL array literal such as {a,"b c",NULL} as elements. */
export function encodeArray(elements: readonly (string | null)[]): string {
  return `{${elements.map((e) => (e === null ? 'NULL' : /^[A-Za-z0-9_.:@+-]+$/.test(e) && e.toUpperCase() !== 'NULL' ? e : `"${e.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
}

/** Parses a one-dimensional array literal; pg_stats prints most_common_elems this way. */
export function decodeArray(literal: string): (string | null)[] {
  const body = literal.trim().replace(/^\{/, '').replace(/\}$/, '');
  if (body === '') return [];
  const out: (string | null)[] = [];
  let i = 0;
  while (i <= body.length) {
    if (body[i] === '"') {
      let value = '';
      i += 1;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i += 1;
        value += body[i] ?? '';
        i += 1;
      }
      out.push(value);
      i += 2;
    } else {
      const end = body.indexOf(',', i);
      const token = body.slice(i, end === -1 ? body.length : end);
      out.push(token === 'NULL' ? null : token);
      i = end === -1 ? body.length + 1 : end + 1;
    }
  }
  return out;
}
