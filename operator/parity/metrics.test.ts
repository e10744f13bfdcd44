import { Registry } from 'prom-client';
import { findingMetricSamples } from './outcome';
import { forgetParityFindings, parityFindingsGauge, recordParityFindings } from './metrics';
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
