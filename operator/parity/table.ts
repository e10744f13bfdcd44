// Fixed-width text tables whose cells wrap instead of being cut: a finding's
// path is what an ignore rule has to name, and a differing image tag is at the
// end of its value, so no character may be dropped.

export interface Column {
  header: string;
  /** Cells longer than this wrap onto further lines; absent means the column is as wide as its widest cell. */
  width?: number;
}

/** Characters after which a break reads naturally in a path, reference or URL. */
const BREAK_AFTER = /[./:\-,\]@=]/;

/**
 * Splits text into lines of at most `width` characters, breaking after a
 * separator or a space where one is close to the end, else mid-word. Joining
 * the lines (with the spaces dropped at breaks put back) gives the text again.
 */
export function wrapCell(text: string, width: number): string[] {
  if (width < 1) throw new Error('width must be at least 1');
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    let cut = -1;
    // Only breaks in the second half of the line: an early break would waste most of the column.
    for (let i = width; i > width / 2; i--) {
      if (rest[i - 1] === ' ' || BREAK_AFTER.test(rest[i - 1]!)) {
        cut = i;
        break;
      }
    }
    if (cut < 0) cut = width;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^ +/, '');
  }
  lines.push(rest);
  return lines;
}

/** One line per row when no column has a width; otherwise a row takes as many lines as its longest cell. */
export function renderTable(columns: Column[], rows: string[][]): string[] {
  const widths = columns.map((c, i) => c.width ?? Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join(' ')
      .trimEnd();
  const out = [line(columns.map((c) => c.header))];
  for (const row of rows) {
    const wrapped = columns.map((c, i) => {
      const text = (row[i] ?? '').replace(/\s+/g, ' ');
      return c.width === undefined ? [text] : wrapCell(text, c.width);
    });
    const height = Math.max(...wrapped.map((w) => w.length));
    for (let l = 0; l < height; l++) out.push(line(wrapped.map((w) => w[l] ?? '')));
  }
  return out;
}
