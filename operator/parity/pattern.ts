// Glob patterns over finding paths and resource names. `*` stays inside one
// path segment (it stops at `.`, `[` and `]`), `**` crosses segments, so
// `spec.template.spec.containers[*].env[LOG_*]` and `**.env[LOG_LEVEL]` both
// work. Resource names use `/` as their separator, which `*` crosses.

const cache = new Map<string, RegExp>();

export function pathPattern(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*' && pattern[i + 1] === '*') {
      // `**.` also matches nothing, so `**.env[X]` matches a top-level `env[X]`.
      if (pattern[i + 2] === '.') {
        source += '(?:.*\\.)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (ch === '*') {
      source += '[^.\\[\\]]*';
    } else {
      source += ch.replace(/[\\^$.|?+()[\]{}]/g, '\\$&');
    }
  }
  const compiled = new RegExp(`^${source}$`);
  cache.set(pattern, compiled);
  return compiled;
}

export function matchesPath(pattern: string, path: string): boolean {
  return pathPattern(pattern).test(path);
}

/** Kind/name and Table/schema.name patterns: `*` matches any run of characters. */
export function matchesName(pattern: string, name: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(name);
}
