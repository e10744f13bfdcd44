import { PrometheusClient } from '../../operator/parity/behaviour/prometheus';
import { ProfileSchema } from '../../operator/api/loadtest';
import { readProfile } from '../../operator/controllers/loadtest/profile-source';
import { profileToScenario } from '../../operator/load/profile';
import { type PrometheusServer, type RecordedSeries, startPrometheus } from '../setup/prometheus';

jest.setTimeout(120_000);

// A profile from production's recorded request counters in a real Prometheus:
// a daily curve peaking twelve hours before the test runs (the middle of the
// 24-hour window whatever the time of day: a fixed 14:00 peak straddled the
// window's edges when the test ran around 14:00), two routes (80% / 20%), 26
// hours of history. The stages must follow the busiest hour's shape at the
// environment's scale, within 5%.

const INTERVAL = 60;
const HISTORY = 26 * 3600;
const SCALE = 0.25;
const NAMESPACE = 'shop';

const PEAK_HOUR = (Math.floor(Date.now() / 3_600_000) + 12) % 24;

/** Hours from the peak, around the clock (23:00 is one hour from a peak at 00:00). */
const fromPeak = (hour: number): number => ((hour - PEAK_HOUR + 36) % 24) - 12;

/** Requests per second of the whole shop at a time of day: a floor and a peak around PEAK_HOUR UTC. */
function dailyRate(unixSeconds: number): number {
  const hour = (unixSeconds % 86_400) / 3600;
  return 25 * (0.3 + 1.7 * Math.exp(-((fromPeak(hour) / 1.5) ** 2)));
}

/** A counter whose rate is `share` of the daily curve (integrated per second, in sample order). */
function counter(share: number): RecordedSeries['value'] {
  let last: number | undefined;
  let total = 0;
  return (t) => {
    if (last !== undefined) for (let s = last; s < t; s++) total += share * dailyRate(s);
    last = t;
    return total;
  };
}

const series = (): RecordedSeries[] => [
  {
    name: 'http_requests_total',
    labels: { namespace: NAMESPACE, pod: 'gateway-7d9f8b6c5-x2b4z', route: '/items', method: 'GET', code: '200' },
    value: counter(0.8),
  },
  {
    name: 'http_requests_total',
    labels: { namespace: NAMESPACE, pod: 'gateway-7d9f8b6c5-x2b4z', route: '/checkout', method: 'POST', code: '200' },
    value: counter(0.2),
  },
  // Another namespace's traffic must not count.
  {
    name: 'http_requests_total',
    labels: { namespace: 'other', pod: 'gateway-1-x', route: '/items', method: 'GET', code: '200' },
    value: counter(5),
  },
];

let prometheus: PrometheusServer;
beforeAll(
  async () =>
    (prometheus = await startPrometheus({ series: series(), historySeconds: HISTORY, intervalSeconds: INTERVAL })),
);
afterAll(() => prometheus?.stop());

/** What rate(...[5m]) at t sees of the curve: its mean over the five minutes before t. */
const windowMean = (t: number): number => {
  let sum = 0;
  for (let s = t - 300; s < t; s++) sum += dailyRate(s);
  return sum / 300;
};

describe('a production profile', () => {
  it("turns the busiest hour of a daily curve into stages at the environment's scale, within 5%", async () => {
    const profile = ProfileSchema.parse({ window: '24h', duration: '2m', stages: 12 });
    const built = await readProfile(new PrometheusClient(prometheus.url), profile, NAMESPACE, SCALE);

    // The busiest hour is the one around the peak.
    const start = built.busiestHour.startSeconds;
    const middle = ((start + 1800) % 86_400) / 3600;
    expect(Math.abs(fromPeak(middle))).toBeLessThan(0.25);
    expect(built.stageRates).toHaveLength(12);
    const step = 3600 / 12;
    built.stageRates.forEach((rate, i) => {
      const samples = Array.from({ length: step / INTERVAL }, (_, k) => windowMean(start + i * step + k * INTERVAL));
      const expected = (samples.reduce((a, b) => a + b, 0) / samples.length) * SCALE;
      expect(Math.abs(rate - expected) / expected).toBeLessThan(0.05);
    });
    // Peak and average of the whole window, unscaled; shares of the busiest hour.
    expect(Math.abs(built.peakRate - 50) / 50).toBeLessThan(0.05);
    const items = built.routes.find((r) => r.route === '/items')!;
    expect(Math.abs(items.share - 0.8)).toBeLessThan(0.05 * 0.8);

    const scenario = profileToScenario(built);
    expect(scenario).toMatchObject({
      executor: 'ramping-arrival-rate',
      startRate: built.stageRates[0] !== undefined ? Math.round(built.stageRates[0] * 1000) / 1000 : 0,
    });
    expect(scenario.stages).toHaveLength(12);
    expect(scenario.stages?.[0]?.duration).toBe('10000ms');
    expect(scenario.requests.map((r) => [r.name, r.method, r.path]).sort()).toEqual([
      ['GET /items', 'GET', '/items'],
      ['POST /checkout', 'POST', '/checkout'],
    ]);
  });

  it('refuses routes that are not paths unless mapped', async () => {
    const built = await readProfile(
      new PrometheusClient(prometheus.url),
      ProfileSchema.parse({ window: '24h', routeLabel: 'code' }),
      NAMESPACE,
      1,
    );
    expect(() => profileToScenario(built)).toThrow(/route "200" is not a path; map it in spec.profile.paths/);
    expect(profileToScenario(built, { paths: { '200': '/ok' } }).requests[0]?.path).toBe('/ok');
  });
});
