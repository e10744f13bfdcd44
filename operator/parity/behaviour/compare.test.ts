import fc from 'fast-check';
import { createServer } from 'node:net';
import { compareSeries, noiseOf, type QuerySettings } from './compare';
import { parseSample, PrometheusClient, PrometheusUnreachableError } from './prometheus';
import { mannWhitneyU, median } from './statistics';

const settings: QuerySettings = {
  name: 'p95-latency',
  tolerance: 0.2,
  direction: 'Both',
  minSamples: 10,
  severity: 'warning',
  noiseFloor: true,
};
const series = (values: number[], labels: Record<string, string> = {}) => [{ labels, values }];
const wave = (n: number, base: number) => Array.from({ length: n }, (_, i) => base * (1 + 0.05 * Math.sin(i)));

describe('behaviour comparison', () => {
  it('finds nothing when staging behaves like production', () => {
    const result = compareSeries(settings, 'Query/p95-latency/checkout', series(wave(60, 0.1)), series(wave(60, 0.1)));
    expect(result).toEqual({ differences: [], inconclusive: [] });
  });

  it('reports a p95 three times higher', () => {
    const result = compareSeries(settings, 'Query/p95-latency/checkout', series(wave(60, 0.3)), series(wave(60, 0.1)));
    expect(result.inconclusive).toEqual([]);
    expect(result.differences).toEqual([
      expect.objectContaining({ resource: 'Query/p95-latency/checkout', path: 'median', severity: 'warning' }),
    ]);
    expect(result.differences[0]!.staging).toBeCloseTo(0.3, 1);
    expect(result.differences[0]!.production).toBeCloseTo(0.1, 2);
    expect(result.differences[0]!.message).toContain('+200%');
  });

  it('honours the direction', () => {
    const lower = compareSeries(
      { ...settings, direction: 'HigherIsWorse' },
      'Query/q',
      series(wave(60, 0.05)),
      series(wave(60, 0.1)),
    );
    expect(lower.differences).toEqual([]);
  });

  it('is inconclusive, never a pass, without data, with too few points, or with NaN', () => {
    expect(compareSeries(settings, 'Query/q', [], []).inconclusive[0]!.reason).toMatch(
      /no data in production and staging/,
    );
    expect(compareSeries(settings, 'Query/q', series([1, 2]), series(wave(60, 1))).inconclusive[0]!.reason).toMatch(
      /2 usable samples in staging/,
    );
    const nan = compareSeries(settings, 'Query/q', series(Array(60).fill(NaN)), series(wave(60, 1)));
    expect(nan.differences).toEqual([]);
    expect(nan.inconclusive[0]!.reason).toMatch(/60 NaN or infinite samples discarded/);
  });

  it('is inconclusive, not a pick of one, when a side returns several series with one label set', () => {
    // Production's namespace=~"shop.*" also matched shop-pr-1: two series whose labels differ only in namespace.
    const production = [
      { labels: { namespace: 'shop', code: '500' }, values: wave(60, 0.1) },
      { labels: { namespace: 'shop-pr-1', code: '500' }, values: wave(60, 0.3) },
    ];
    const staging = [{ labels: { namespace: 'shop-pr-1', code: '500' }, values: wave(60, 0.3) }];
    const result = compareSeries(settings, 'Query/q', staging, production);
    expect(result.differences).toEqual([]);
    expect(result.inconclusive).toEqual([
      expect.objectContaining({ reason: expect.stringContaining('several series in production with the same labels') }),
    ]);
  });

  it('property: any series compared with itself gives no difference', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 10, maxLength: 120 }),
        (values) => {
          return compareSeries(settings, 'Query/q', series(values), series(values)).differences.length === 0;
        },
      ),
    );
  });

  it('pairs several series by labels other than namespace', () => {
    const result = compareSeries(
      settings,
      'Query/errors',
      [
        ...series(wave(20, 1), { namespace: 'a', code: '500' }),
        ...series(wave(20, 1), { namespace: 'a', code: '503' }),
      ],
      [
        ...series(wave(20, 1), { namespace: 'b', code: '500' }),
        ...series(wave(20, 5), { namespace: 'b', code: '503' }),
      ],
    );
    expect(result.differences.map((d) => d.path)).toEqual(['series{code="503"}.median']);
  });

  it('is inconclusive, not a pass, when only a production noise of 100% or more would excuse the deviation', () => {
    // Production's level dropped halfway through the range: its halves' medians are 1 and 0.1, a noise of 900%.
    const production = [...Array(30).fill(1), ...Array(30).fill(0.1)];
    const staging = Array(60).fill(3);
    const result = compareSeries(settings, 'Query/q', series(staging), series(production));
    expect(result.differences).toEqual([]);
    expect(result.inconclusive).toEqual([
      expect.objectContaining({ reason: expect.stringContaining('production is too unsteady over the range') }),
    ]);
    // A steady production with a modest noise still excuses what its noise covers.
    const modest = [...wave(30, 1), ...wave(30, 1.15)];
    expect(compareSeries(settings, 'Query/q', series(wave(60, 1.3)), series(modest))).toEqual({
      differences: [],
      inconclusive: [],
    });
  });

  it("measures production's own noise", () => {
    expect(noiseOf([...Array(10).fill(1), ...Array(10).fill(2)])).toBeCloseTo((0.5 / 1.5) * 1.5, 1);
    expect(noiseOf(Array(20).fill(3))).toBe(0);
  });
});

describe('statistics', () => {
  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
  it('Mann-Whitney separates shifted samples and not equal ones', () => {
    const a = Array.from({ length: 60 }, (_, i) => i);
    expect(mannWhitneyU(a, a).pValue).toBeGreaterThan(0.9);
    expect(
      mannWhitneyU(
        a,
        a.map((x) => x + 40),
      ).pValue,
    ).toBeLessThan(0.001);
  });
  it('parses Prometheus special values', () => {
    expect(parseSample('NaN')).toBeNaN();
    expect(parseSample('+Inf')).toBe(Infinity);
    expect(parseSample('-Inf')).toBe(-Infinity);
    expect(parseSample('0.25')).toBe(0.25);
  });
});

describe('Prometheus client', () => {
  it('says clearly when the server cannot be reached', async () => {
    const port = await closedPort();
    const client = new PrometheusClient(`http://user:pw@127.0.0.1:${port}`, 2000);
    const error = await client.queryRange('up', 0, 60, 15).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrometheusUnreachableError);
    expect((error as Error).message).toMatch(/cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    expect((error as Error).message).not.toContain('pw');
  });
});

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
