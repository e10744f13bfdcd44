import { SeedReferenceError } from '../../seed/resolve';
import { SeedError } from '../../seed/errors';
import type { SeedReport } from '../../seed/run';
import { failureOfReferences, failureOfRun, fidelityMessage } from './failure';

const now = new Date('2030-01-01T00:00:00Z');

describe('failures as condition reasons', () => {
  it('gives enforced fidelity failures their own reason, the worst metrics and the report', () => {
    const report: SeedReport = {
      source: 'synthesize',
      tables: [{ name: 'public.users', rows: 10, seconds: 1 }],
      totals: { rows: 10, seconds: 1, rowsPerSecond: 10 },
      fidelity: {
        tables: [],
        columns: [],
        foreignKeys: [],
        foreignKeyOrphans: 0,
        uniqueViolations: 0,
        worst: { kolmogorovSmirnov: 0.23456, nullFractionDelta: 0.01 },
        violations: ['public.users.age: KS distance 0.235 > 0.1'],
        passed: false,
      },
    };
    const err = new SeedError(
      'FidelityFailed',
      'fidelity thresholds exceeded',
      report.fidelity!.violations,
      true,
    ).withReport(report);
    const failure = failureOfRun(err, 4, now);
    expect(failure.reason).toBe('FidelityBelowThreshold');
    expect(failure.message).toBe(
      'fidelity below the enforced thresholds (worst: KS 0.2346, null-fraction delta 0.01): public.users.age: KS distance 0.235 > 0.1',
    );
    expect(failure.report).toMatchObject({
      observedGeneration: 4,
      tables: [{ name: 'public.users', rows: 10 }],
      fidelity: { passed: false, worstKolmogorovSmirnov: 0.2346 },
    });
  });

  it('says how many violations it left out', () => {
    const many = Array.from({ length: 13 }, (_, i) => `v${i}`);
    expect(fidelityMessage(undefined, many)).toBe(
      `fidelity below the enforced thresholds: ${many.slice(0, 10).join('; ')}; and 3 more`,
    );
  });

  it('keeps the engine reason of other failures, and unknown errors become SeedFailed', () => {
    expect(
      failureOfRun(
        new SeedError('UncoveredColumns', 'strict mode: 1 column(s) have no rule', ['public.users.ssn']),
        1,
        now,
      ),
    ).toEqual({ reason: 'UncoveredColumns', message: 'strict mode: 1 column(s) have no rule: public.users.ssn' });
    expect(failureOfRun(new Error('socket hang up'), 1, now)).toEqual({
      reason: 'SeedFailed',
      message: 'socket hang up',
    });
  });

  it('makes a bad Secret or ConfigMap value an InvalidReference (retried), not an InvalidSpec', () => {
    expect(
      failureOfReferences(
        new SeedError(
          'InvalidSpec',
          'spec.target.urlSecretRef: Secret ns/db key url does not hold a postgresql:// URL',
        ),
      ),
    ).toMatchObject({ reason: 'InvalidReference' });
    expect(
      failureOfReferences(new SeedError('ReferenceNotFound', 'spec.target.urlSecretRef: Secret ns/db not found')),
    ).toEqual({ reason: 'ReferenceNotFound', message: 'spec.target.urlSecretRef: Secret ns/db not found' });
    expect(
      failureOfReferences(
        new SeedReferenceError(
          'ReferenceUnreadable',
          'spec.target.urlSecretRef: the operator may not read Secrets in namespace ns',
        ),
      ),
    ).toEqual({
      reason: 'ReferenceUnreadable',
      message: 'spec.target.urlSecretRef: the operator may not read Secrets in namespace ns',
    });
    expect(failureOfReferences(new Error('GET /api/v1/namespaces/ns/secrets/db: HTTP 403: forbidden'))).toEqual({
      reason: 'ReferenceUnreadable',
      message:
        "cannot read the DataSeed's Secrets and ConfigMaps: GET /api/v1/namespaces/ns/secrets/db: HTTP 403: forbidden",
    });
  });
});
