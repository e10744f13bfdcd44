import { ScenarioError, parseScenarioFile } from './scenario-file';

const base = {
  targets: { shop: 'http://127.0.0.1:1' },
  scenarios: [
    { name: 'browse', executor: 'constant-arrival-rate', rate: 10, duration: '1s', requests: [{ path: '/' }] },
  ],
};

describe('scenario files', () => {
  it('accepts a valid file and fills defaults', () => {
    const file = parseScenarioFile(base);
    expect(file.scenarios[0]).toMatchObject({
      maxInFlight: 1000,
      timeout: '10s',
      requests: [{ method: 'GET', weight: 1 }],
    });
    expect(file.thresholds).toEqual([]);
  });

  it.each([
    [
      { scenarios: [{ ...base.scenarios[0], rate: undefined }] },
      /scenarios\[0\]\.rate: required by executor constant-arrival-rate/,
    ],
    [
      { scenarios: [{ ...base.scenarios[0], stages: [{ duration: '1s', target: 1 }] }] },
      /scenarios\[0\]\.stages: not used by executor constant-arrival-rate/,
    ],
    [
      { scenarios: [{ ...base.scenarios[0], requests: [{ path: 'no-slash' }] }] },
      /scenarios\[0\]\.requests\[0\]\.path: must start with \//,
    ],
    [
      { scenarios: [{ ...base.scenarios[0], requests: [{ path: '/{{value ids}}' }] }] },
      /scenarios\[0\]\.requests\[0\]\.path: \{\{value ids\}\} at position 1: no values named ids/,
    ],
    [{ thresholds: [{ route: 'GET /missing', p95: '1s' }] }, /thresholds\[0\]\.route: no route named "GET \/missing"/],
    [{ scenarios: [{ ...base.scenarios[0], duration: 'soon' }] }, /scenarios\[0\]\.duration: must be a duration/],
    [
      { scenarios: [{ ...base.scenarios[0], requests: [{ path: '/' }, { path: '/' }] }] },
      /scenarios\[0\]\.requests\[1\]\.name: route "GET \/" appears twice/,
    ],
  ])('refuses a bad file naming the field (%#)', (patch, message) => {
    expect(() => parseScenarioFile({ ...base, ...patch })).toThrow(ScenarioError);
    expect(() => parseScenarioFile({ ...base, ...patch })).toThrow(message);
  });
});
