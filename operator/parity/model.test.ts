import fc from 'fast-check';
import type { Finding } from '../api/paritycheck';
import { findingId, type Difference } from './finding';
import { applyIgnoreRules } from './ignore';
import { matchesPath } from './pattern';
import { toFindings, topFindings } from './select';
import { score, summarise, verdictOf } from './verdict';

const difference = fc.record({
  category: fc.constantFrom('configuration', 'schema', 'data', 'behaviour' as const),
  resource: fc.constantFrom('Deployment/a', 'Deployment/b', 'Table/public.orders'),
  path: fc.constantFrom('spec.replicas', 'spec.template.spec.containers[app].env[X]', 'columns.id'),
  expected: fc.boolean(),
  severity: fc.constantFrom('info', 'warning', 'critical' as const),
  message: fc.constant('m'),
}) as fc.Arbitrary<Difference>;

describe('finding ids and selection', () => {
  it('ids depend only on category, resource and path', () => {
    expect(findingId('configuration', 'Deployment/a', 'spec.replicas')).toBe(
      findingId('configuration', 'Deployment/a', 'spec.replicas'),
    );
    expect(findingId('configuration', 'Deployment/a', 'spec.replicas')).not.toBe(
      findingId('configuration', 'Deployment/b', 'spec.replicas'),
    );
  });

  it('findings and the top 20 are the same whatever the order of the differences', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    fc.assert(
      fc.property(
        fc
          .array(difference, { maxLength: 40 })
          .chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length }))),
        ([list, shuffled]) => {
          expect(topFindings(toFindings(shuffled, undefined, now))).toEqual(
            topFindings(toFindings(list, undefined, now)),
          );
        },
      ),
    );
  });

  it('keeps firstSeen from the previous status and orders unexpected and severe first', () => {
    const first = new Date('2026-01-01T00:00:00Z');
    const later = new Date('2026-01-02T00:00:00Z');
    const diffs: Difference[] = [
      { category: 'configuration', resource: 'Deployment/a', path: 'x', expected: true, severity: 'info', message: '' },
      {
        category: 'schema',
        resource: 'Table/t',
        path: 'columns.c',
        expected: false,
        severity: 'critical',
        message: '',
      },
    ];
    const previous = toFindings(diffs.slice(1), undefined, first);
    const next = toFindings(diffs, previous, later);
    expect(next.map((f) => [f.resource, f.firstSeen])).toEqual([
      ['Table/t', first.toISOString()],
      ['Deployment/a', later.toISOString()],
    ]);
  });

  it('bounds the status list to 20', () => {
    const many: Difference[] = Array.from({ length: 30 }, (_, i) => ({
      category: 'data',
      resource: `Table/t${i}`,
      path: 'rows',
      expected: false,
      severity: 'warning',
      message: '',
    }));
    expect(topFindings(toFindings(many, undefined, new Date()))).toHaveLength(20);
  });
});

describe('ignore rules', () => {
  it('matches path patterns segment by segment', () => {
    expect(
      matchesPath('spec.template.spec.containers[*].env[LOG_*]', 'spec.template.spec.containers[app].env[LOG_LEVEL]'),
    ).toBe(true);
    expect(matchesPath('**.env[LOG_LEVEL]', 'spec.template.spec.containers[app].env[LOG_LEVEL]')).toBe(true);
    expect(matchesPath('**.env[LOG_LEVEL]', 'env[LOG_LEVEL]')).toBe(true);
    expect(matchesPath('spec.*', 'spec.template.spec')).toBe(false);
    expect(matchesPath('data[cache.ttl]', 'data[cache.ttl]')).toBe(true);
  });

  it('drops what rules cover and reports rules that matched nothing', () => {
    const diffs: Difference[] = [
      {
        category: 'configuration',
        resource: 'Deployment/a',
        path: 'spec.template.spec.containers[app].env[LOG_LEVEL]',
        expected: false,
        severity: 'warning',
        message: '',
      },
      {
        category: 'schema',
        resource: 'Table/public.audit_log',
        path: 'indexes.audit_log_at',
        expected: false,
        severity: 'warning',
        message: '',
      },
    ];
    const result = applyIgnoreRules(
      [
        { path: '**.env[LOG_LEVEL]', reason: 'staging logs more' },
        { path: '**', category: 'schema', resource: 'Table/public.audit_*', reason: 'audit tables differ' },
        { path: 'spec.replicas', reason: 'stale' },
      ],
      diffs,
    );
    expect(result.differences).toEqual([]);
    expect(result.ignored).toBe(2);
    expect(result.unmatchedRules).toEqual([2]);
  });
});

describe('verdict and score', () => {
  const f = (severity: Finding['severity'], expected = false) => ({ severity, expected });
  it('is Drifted at or above failOn, Inconclusive on missing data, InParity otherwise', () => {
    expect(verdictOf([f('warning')], [], 'warning')).toBe('Drifted');
    expect(verdictOf([f('warning')], [], 'critical')).toBe('InParity');
    expect(verdictOf([f('critical', true)], [], 'info')).toBe('InParity');
    expect(
      verdictOf(
        [],
        [{ inconclusive: [{ category: 'behaviour', resource: 'q', path: '', reason: 'no data' }] }],
        'warning',
      ),
    ).toBe('Inconclusive');
    expect(verdictOf([], [{ inconclusive: [], error: 'unreachable' }], 'warning')).toBe('Inconclusive');
    expect(verdictOf([f('critical')], [{ inconclusive: [], error: 'unreachable' }], 'warning')).toBe('Drifted');
  });
  it('gives no score to an Inconclusive check: 100 next to it would read as a pass', () => {
    const unread = { category: 'data' as const, compared: 0, differences: [], inconclusive: [], error: 'unreachable' };
    const summary = summarise([], [unread], 'warning', 0);
    expect(summary.verdict).toBe('Inconclusive');
    expect(summary).not.toHaveProperty('score');
    expect(summarise([], [{ ...unread, error: undefined, compared: 3 }], 'warning', 0).score).toBe(100);
  });
  it('scores 100 minus penalties, ignoring expected differences', () => {
    expect(score([])).toBe(100);
    expect(score([f('critical'), f('warning'), f('info'), f('critical', true)])).toBe(74);
    expect(score(Array.from({ length: 10 }, () => f('critical')))).toBe(0);
  });
  it('summarises counts', () => {
    const findings = toFindings(
      [
        { category: 'data', resource: 'Table/a', path: 'rows', expected: false, severity: 'warning', message: '' },
        {
          category: 'configuration',
          resource: 'Deployment/a',
          path: 'spec.replicas',
          expected: true,
          severity: 'info',
          message: '',
        },
      ],
      undefined,
      new Date(),
    );
    expect(summarise(findings, [], 'warning', 3)).toEqual({
      verdict: 'Drifted',
      score: 95,
      critical: 0,
      warning: 1,
      info: 0,
      expected: 1,
      ignored: 3,
      inconclusive: 0,
      total: 2,
    });
  });
});
