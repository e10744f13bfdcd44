import { Registry } from 'prom-client';
import { findingMetricSamples } from './outcome';
import {
  forgetParityFindings,
  forgetParityVerdict,
  parityFindingsGauge,
  parityVerdictGauge,
  recordParityFindings,
  recordParityVerdict,
} from './metrics';
import { toFindings } from './select';

describe('understudy_parity_findings', () => {
  it('exports every category and severity of a check, zeros included', async () => {
    const registry = new Registry();
    const gauge = parityFindingsGauge(registry);
    expect(parityFindingsGauge(registry)).toBe(gauge);
    const findings = toFindings(
      [
        {
          category: 'schema',
          resource: 'Table/t',
          path: 'indexes[i]',
          expected: false,
          severity: 'warning',
          message: '',
        },
      ],
      undefined,
      new Date(),
    );
    recordParityFindings(gauge, { namespace: 'previews', name: 'pr-1' }, findingMetricSamples(findings));
    const text = await registry.metrics();
    expect(text).toContain(
      'understudy_parity_findings{namespace="previews",name="pr-1",category="schema",severity="warning"} 1',
    );
    expect(text).toContain(
      'understudy_parity_findings{namespace="previews",name="pr-1",category="behaviour",severity="critical"} 0',
    );
    forgetParityFindings(gauge, { namespace: 'previews', name: 'pr-1' });
    expect(await registry.metrics()).not.toContain('name="pr-1"');
  });
});

describe('understudy_parity_verdict', () => {
  it('is 1 for the last verdict only, so a check that compared nothing is not all zeros like one in parity', async () => {
    const registry = new Registry();
    const gauge = parityVerdictGauge(registry);
    expect(parityVerdictGauge(registry)).toBe(gauge);
    const check = { namespace: 'previews', name: 'pr-1' };
    recordParityVerdict(gauge, check, 'InParity');
    recordParityVerdict(gauge, check, 'Inconclusive');
    const text = await registry.metrics();
    expect(text).toContain('understudy_parity_verdict{namespace="previews",name="pr-1",verdict="Inconclusive"} 1');
    expect(text).toContain('understudy_parity_verdict{namespace="previews",name="pr-1",verdict="InParity"} 0');
    expect(text).toContain('understudy_parity_verdict{namespace="previews",name="pr-1",verdict="Drifted"} 0');
    forgetParityVerdict(gauge, check);
    expect(await registry.metrics()).not.toContain('name="pr-1"');
  });
});
