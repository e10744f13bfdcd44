// Shell blocks a document marks for testing, in document order:
//
//   <!-- test: local -->
//   ```sh
//   kubectl apply ...
//   ```
//
// `local` blocks run as written; `operator` marks the command a reader runs in
// a terminal of its own (a test starts it in the background instead).

export type DocBlockKind = 'local' | 'operator';

export interface DocBlock {
  kind: DocBlockKind;
  /** 1-based line of the opening fence, for failure messages. */
  line: number;
  script: string;
}

const MARKER = /^<!-- test: ([a-z-]+) -->$/;

export function testedBlocks(markdown: string): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const marker = MARKER.exec(lines[i]!.trim());
    if (!marker) continue;
    const kind = marker[1];
    if (kind !== 'local' && kind !== 'operator')
      throw new Error(`line ${i + 1}: unknown test marker "${kind}" (local or operator)`);
    let open = i + 1;
    while (open < lines.length && lines[open]!.trim() === '') open++;
    if (lines[open]?.trim() !== '```sh')
      throw new Error(`line ${i + 1}: a test marker must be followed by a \`\`\`sh block`);
    const close = lines.findIndex((l, j) => j > open && l.trim() === '```');
    if (close < 0) throw new Error(`line ${open + 1}: the \`\`\`sh block is not closed`);
    blocks.push({ kind, line: open + 1, script: lines.slice(open + 1, close).join('\n') });
    i = close;
  }
  return blocks;
}

/** A one-command block as argv: line continuations joined, words split on blanks (no quoting is supported). */
export function commandWords(script: string): string[] {
  const text = script
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (text.length !== 1) throw new Error(`expected one command, got ${text.length} lines:\n${script}`);
  if (/["'`$|;&<>]/.test(text[0]!))
    throw new Error(`a command block is split on blanks only; quote nothing in it:\n${script}`);
  return text[0]!.split(/\s+/);
}
