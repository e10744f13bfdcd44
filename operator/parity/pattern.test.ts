import fc from 'fast-check';
import { matchesName, matchesPath } from './pattern';

// Tenants write these patterns and the operator's one event loop matches them:
// the matcher must mean what the regular expressions it replaced meant, and
// stay linear where those backtracked for minutes.

/** The regular expressions the patterns used to compile to: the meaning to keep, on texts short enough to backtrack. */
function pathRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*' && pattern[i + 1] === '*') {
      if (pattern[i + 2] === '.') {
        source += '(?:.*\\.)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (ch === '*') source += '[^.\\[\\]]*';
    else source += ch.replace(/[\\^$.|?+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}
const nameRegex = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );

describe('paths', () => {
  it.each([
    ['spec.template.spec.containers[*].env[LOG_*]', 'spec.template.spec.containers[app].env[LOG_LEVEL]', true],
    ['spec.template.spec.containers[*].env[LOG_*]', 'spec.template.spec.containers[app].env[DB_URL]', false],
    ['**.env[LOG_LEVEL]', 'env[LOG_LEVEL]', true],
    ['**.env[LOG_LEVEL]', 'spec.containers[a].env[LOG_LEVEL]', true],
    ['**.env[LOG_LEVEL]', 'xenv[LOG_LEVEL]', false],
    ['*.replicas', 'spec.replicas', true],
    ['*.replicas', 'spec.template.replicas', false],
    ['**', 'anything.at[all]', true],
    ['spec.*', 'spec.', true],
  ])('%s against %s: %s', (pattern, path, expected) => {
    expect(matchesPath(pattern, path)).toBe(expected);
  });

  it('means what the regular expression meant (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '.', '[', ']'), maxLength: 12 });
    const pattern = fc.string({ unit: fc.constantFrom('a', 'b', '.', '[', ']', '*', '**', '**.'), maxLength: 8 });
    fc.assert(
      fc.property(pattern, text, (p, t) => {
        expect(matchesPath(p, t)).toBe(pathRegex(p).test(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('stays linear on a pattern that made the regular expression backtrack for minutes', () => {
    expect(matchesPath(`${'**a'.repeat(40)}**b`, 'a'.repeat(2000))).toBe(false);
    expect(matchesPath(`${'*a'.repeat(40)}*b`, 'a'.repeat(2000))).toBe(false);
    expect(matchesPath(`${'**a'.repeat(40)}**b`, `${'a'.repeat(2000)}b`)).toBe(true);
  });
});

describe('names', () => {
  it.each([
    ['Deployment/checkout', 'Deployment/checkout', true],
    ['Deployment/*', 'Deployment/checkout', true],
    ['Table/public.audit_*', 'Table/public.audit_log', true],
    ['Table/public.audit_*', 'Table/public.orders', false],
    ['*/a.b', 'Kind/a.b', true],
    ['a.b', 'axb', false],
  ])('%s against %s: %s', (pattern, name, expected) => {
    expect(matchesName(pattern, name)).toBe(expected);
  });

  it('means what the regular expression meant (property)', () => {
    const unit = fc.constantFrom('a', 'b', '/', '.', '*');
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '/', '.'), maxLength: 12 }),
        (p, t) => {
          expect(matchesName(p, t)).toBe(nameRegex(p).test(t));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('stays linear on a pattern that made the regular expression backtrack', () => {
    expect(matchesName(`${'*a'.repeat(40)}*b`, 'a'.repeat(2000))).toBe(false);
  });
});
