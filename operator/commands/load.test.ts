import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESULT_PREFIX } from '../load/result-line';
import {
  EXIT_FAILED,
  EXIT_PASSED,
  formatProgress,
  parseSeed,
  parseWorker,
  runLoadCommand,
  scenarioFromOptions,
} from './load';

describe('understudy load flags', () => {
  it('parses --worker i/N', () => {
    expect(parseWorker(undefined)).toEqual({ index: 0, count: 1 });
    expect(parseWorker('2/4')).toEqual({ index: 2, count: 4 });
    expect(() => parseWorker('4/4')).toThrow(/--worker "4\/4": expected i\/N/);
  });

  it('builds an open scenario from --rate and a closed one from --vus', () => {
    expect(
      scenarioFromOptions({ url: 'http://127.0.0.1:8080', rate: '50', duration: '2s' }).scenarios[0],
    ).toMatchObject({ executor: 'constant-arrival-rate', rate: 50, duration: '2s' });
    expect(
      scenarioFromOptions({ url: 'http://127.0.0.1:8080', vus: '3', thinkTime: '10ms' }).scenarios[0],
    ).toMatchObject({ executor: 'constant-vus', vus: 3, thinkTime: '10ms' });
  });

  it('sends every scenario of a file to --url, those naming a target of the file too', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'load-')), 'test.yaml');
    writeFileSync(
      file,
      [
        'targets: {shop: "http://production.example:80", api: "http://api.example:80"}',
        'scenarios:',
        '  - {name: a, target: shop, executor: constant-arrival-rate, rate: 1, duration: 1s, requests: [{path: /}]}',
        '  - {name: b, target: api, executor: constant-arrival-rate, rate: 1, duration: 1s, requests: [{path: /}]}',
      ].join('\n'),
    );
    const test = scenarioFromOptions({ file, url: 'http://127.0.0.1:8080' });
    expect(test.targets).toEqual({ default: 'http://127.0.0.1:8080' });
    expect(test.scenarios.map((s) => s.target)).toEqual(['default', 'default']);
  });

  it('refuses a --seed that is not an integer and a --plan-env that is not JSON, naming the flag', () => {
    expect(parseSeed('42')).toBe(42);
    expect(() => parseSeed('abc')).toThrow('--seed "abc": must be an integer');
    process.env.UNDERSTUDY_TEST_BAD_PLAN = '{"scenarios": [';
    try {
      expect(() => scenarioFromOptions({ planEnv: 'UNDERSTUDY_TEST_BAD_PLAN' })).toThrow(
        /^--plan-env UNDERSTUDY_TEST_BAD_PLAN: not JSON/,
      );
    } finally {
      delete process.env.UNDERSTUDY_TEST_BAD_PLAN;
    }
  });

  it('refuses flags that do not make a test', () => {
    expect(() => scenarioFromOptions({})).toThrow(/-f test.yaml/);
    expect(() => scenarioFromOptions({ url: 'http://x', rate: '1', vus: '1' })).toThrow(/either --rate/);
    expect(() => scenarioFromOptions({ url: 'http://x', rate: '-1' })).toThrow(
      /--rate "-1": must be a positive number/,
    );
  });

  it('prints one progress line per scenario', () => {
    expect(
      formatProgress({
        elapsedMs: 3200,
        scenarios: [{ name: 'browse', sent: 10, completed: 9, errors: 1, dropped: 0, p99Ms: 12.34 }],
      }),
    ).toBe('[   3s] browse: 10 sent, 9 done, 1 errors, 0 dropped, p99 12.3 ms');
  });
});

describe('a LoadTest Job worker (--plan-env --result-line)', () => {
  const plan = JSON.stringify({
    // Port 1 on loopback refuses: every request fails, so this worker's own share fails the thresholds.
    targets: { web: 'http://127.0.0.1:1' },
    scenarios: [
      { name: 's', executor: 'constant-arrival-rate', rate: 20, duration: '100ms', requests: [{ path: '/' }] },
    ],
    thresholds: [{ route: '*', errorRate: '0' }],
  });
  let written: string[];
  beforeEach(() => {
    process.env.UNDERSTUDY_TEST_PLAN = plan;
    written = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    delete process.env.UNDERSTUDY_TEST_PLAN;
  });

  it('exits 0 once its result line is out, so a failing share does not fail the Job and lose the verdict', async () => {
    const code = await runLoadCommand({ planEnv: 'UNDERSTUDY_TEST_PLAN', resultLine: true, progress: false });
    expect(code).toBe(EXIT_PASSED);
    expect(written.join('').trimEnd().split('\n').pop()).toMatch(new RegExp(`^${RESULT_PREFIX}`));
    expect(written.join('')).toContain('thresholds: FAILED');
  });

  it('still exits 1 on a failed threshold when run by hand', async () => {
    expect(await runLoadCommand({ planEnv: 'UNDERSTUDY_TEST_PLAN', progress: false })).toBe(EXIT_FAILED);
  });
});
