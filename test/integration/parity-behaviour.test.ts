import { parseResolvedParityCheck, type ResolvedParityCheckInput } from '../../operator/api/paritycheck';
import { runParityCommand } from '../../operator/commands/parity';
import { PrometheusClient } from '../../operator/parity/behaviour/prometheus';
import { runParityCheck } from '../../operator/parity/check';
import { freePort, startPrometheus, type PrometheusServer, type RecordedSeries } from '../setup/prometheus';

jest.setTimeout(120_000);

const PRODUCTION = 'shop';
const STAGING = 'shop-pr-1';
const P95 = 'max(http_request_duration_seconds_p95{namespace="{{namespace}}",service="{{service}}"})';
const ERRORS = 'max(http_error_ratio{namespace="{{namespace}}",service="{{service}}"})';

/** Recorded behaviour: staging's checkout answers three times slower than production's; the rest matches. */
function recorded(): RecordedSeries[] {
  const jitter = (base: number) => (t: number, i: number) => base * (1 + 0.04 * Math.sin(i / 3));
  const series: RecordedSeries[] = [];
  for (const namespace of [PRODUCTION, STAGING]) {
    for (const service of ['catalog', 'checkout']) {
      const slow = namespace === STAGING && service === 'checkout' ? 3 : 1;
      series.push({
        name: 'http_request_duration_seconds_p95',
        labels: { namespace, service },
        value: jitter(0.12 * slow),
      });
      series.push({ name: 'http_error_ratio', labels: { namespace, service }, value: jitter(0.01) });
    }
  }
  return series;
}

function spec(services = ['catalog', 'checkout']): ResolvedParityCheckInput {
  return {
    staging: { namespace: STAGING },
    production: { namespace: PRODUCTION },
    categories: {
      configuration: { enabled: false },
      behaviour: {
        queries: [
          { name: 'p95-latency', query: P95, services, direction: 'HigherIsWorse' },
          { name: 'error-rate', query: ERRORS, services, tolerance: '0.5' },
        ],
      },
    },
  };
}

describe('ParityCheck behaviour category on a real Prometheus', () => {
  let recordedPrometheus: PrometheusServer;
  let emptyPrometheus: PrometheusServer;

  beforeAll(async () => {
    [recordedPrometheus, emptyPrometheus] = await Promise.all([
      startPrometheus({ series: recorded() }),
      startPrometheus(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([recordedPrometheus?.stop(), emptyPrometheus?.stop()]);
  });

  async function check(url: string, services?: string[]) {
    return runParityCheck(
      parseResolvedParityCheck(spec(services)),
      { metrics: new PrometheusClient(url) },
      undefined,
      new Date(),
    );
  }

  it('finds a p95 three times higher, and nothing else', async () => {
    const result = await check(recordedPrometheus.url);
    expect(result.inconclusive).toEqual([]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        category: 'behaviour',
        resource: 'Query/p95-latency/checkout',
        path: 'median',
        severity: 'warning',
        expected: false,
      }),
    ]);
    expect(Number(result.findings[0]!.staging) / Number(result.findings[0]!.production)).toBeCloseTo(3, 1);
    expect(result.findings[0]!.message).toMatch(/\+200%/);
    expect(result.status.conditions?.find((c) => c.type === 'BehaviourDrifted')).toMatchObject({ status: 'True' });
    expect(result.requests.prometheus).toBe(8);
  });

  it('finds nothing where staging behaves like production', async () => {
    const result = await check(recordedPrometheus.url, ['catalog']);
    expect(result.findings).toEqual([]);
    expect(result.inconclusive).toEqual([]);
    expect(result.status.conditions?.find((c) => c.type === 'InParity')).toMatchObject({ status: 'True' });
  });

  it('is Inconclusive with InParity Unknown on an empty Prometheus, and Ready stays True', async () => {
    const result = await check(emptyPrometheus.url);
    expect(result.findings).toEqual([]);
    expect(result.status.summary).toMatchObject({ verdict: 'Inconclusive', inconclusive: 4 });
    expect(result.status.conditions?.find((c) => c.type === 'InParity')).toMatchObject({
      status: 'Unknown',
      reason: 'Inconclusive',
    });
    expect(result.status.conditions?.find((c) => c.type === 'BehaviourDrifted')).toMatchObject({
      status: 'Unknown',
      reason: 'InsufficientData',
    });
    expect(result.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    expect(result.inconclusive[0]!.reason).toMatch(/no data in production and staging/);
  });

  it('turns an unreachable Prometheus into Stalled with a clear message', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await check(url);
    expect(result.status.conditions?.find((c) => c.type === 'Stalled')).toMatchObject({
      status: 'True',
      message: expect.stringContaining(`cannot reach Prometheus at ${url}: ECONNREFUSED`),
    });
    expect(result.status.conditions?.find((c) => c.type === 'InParity')).toMatchObject({
      status: 'Unknown',
      reason: 'SourceUnavailable',
    });
  });

  it('gives the CLI exit codes a CI gate needs: 1 on drift, 0 in parity, 2 inconclusive', async () => {
    const flags = (url: string, services = 'checkout') => ({
      staging: STAGING,
      production: PRODUCTION,
      config: false,
      prometheus: url,
      query: [`p95=${P95.replace('{{service}}', services)}`],
    });
    expect((await runParityCommand(flags(recordedPrometheus.url))).exitCode).toBe(1);
    expect((await runParityCommand(flags(recordedPrometheus.url, 'catalog'))).exitCode).toBe(0);
    expect((await runParityCommand(flags(emptyPrometheus.url))).exitCode).toBe(2);
  });
});
