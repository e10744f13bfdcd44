// Glob patterns over finding paths and resource names. `*` stays inside one
// path segment (it stops at `.`, `[` and `]`), `**` crosses segments, so
// `spec.template.spec.containers[*].env[LOG_*]` and `**.env[LOG_LEVEL]` both
// work. Resource names use `/` as their separator, which `*` crosses.
//
// Patterns are written by tenants (spec.ignore, include/exclude) and run in
// the operator's one event loop, so they are matched by a scan over the
// text's positions, never compiled to a regular expression: `**a**a**a**b`
// as a backtracking regex took seconds on a 60-character path, and each
// further `**` multiplied it. Here the cost is pattern length × text length.

type Token = { kind: 'literal'; char: string } | { kind: 'segment' } | { kind: 'any' } | { kind: 'anyThenDot' };

const SEGMENT_STOPS = new Set(['.', '[', ']']);
const cache = new Map<string, Token[]>();

function pathTokens(pattern: string): Token[] {
  const cached = cache.get(pattern);
  if (cached) return cached;
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*' && pattern[i + 1] === '*') {
      // `**.` also matches nothing, so `**.env[X]` matches a top-level `env[X]`.
      if (pattern[i + 2] === '.') {
        tokens.push({ kind: 'anyThenDot' });
        i += 2;
      } else {
        tokens.push({ kind: 'any' });
        i += 1;
      }
    } else if (ch === '*') tokens.push({ kind: 'segment' });
    else tokens.push({ kind: 'literal', char: ch });
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(pattern, tokens);
  return tokens;
}

/** Whether the tokens match the whole text: the set of positions reachable after each token, one pass per token. */
function matches(tokens: readonly Token[], text: string): boolean {
  const n = text.length;
  let reach = new Uint8Array(n + 1);
  reach[0] = 1;
  for (const token of tokens) {
    const next = new Uint8Array(n + 1);
    let any = false;
    switch (token.kind) {
      case 'literal':
        for (let i = 0; i < n; i++) if (reach[i] && text[i] === token.char) next[i + 1] = 1;
        break;
      case 'segment': {
        // Any run without a segment separator: from each reachable position up to the next separator.
        let running = false;
        for (let j = 0; j <= n; j++) {
          if (reach[j]) running = true;
          if (running) next[j] = 1;
          if (j < n && SEGMENT_STOPS.has(text[j]!)) running = false;
        }
        break;
      }
      case 'any': {
        let running = false;
        for (let j = 0; j <= n; j++) {
          if (reach[j]) running = true;
          if (running) next[j] = 1;
        }
        break;
      }
      case 'anyThenDot': {
        // Nothing, or any run that ends with a dot.
        let running = false;
        for (let j = 0; j <= n; j++) {
          if (reach[j]) next[j] = 1;
          if (j > 0 && running && text[j - 1] === '.') next[j] = 1;
          if (reach[j]) running = true;
        }
        break;
      }
    }
    for (let j = 0; j <= n; j++) if (next[j]) any = true;
    if (!any) return false;
    reach = next;
  }
  return reach[n] === 1;
}

export function matchesPath(pattern: string, path: string): boolean {
  return matches(pathTokens(pattern), path);
}

/** Kind/name and Table/schema.name patterns: `*` matches any run of characters. */
export function matchesName(pattern: string, name: string): boolean {
  const tokens: Token[] = pattern.split('').map((char) => (char === '*' ? { kind: 'any' } : { kind: 'literal', char }));
  return matches(tokens, name);
}
