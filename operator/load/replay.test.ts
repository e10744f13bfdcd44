import fc from 'fast-check';
import { LoadScenarioSchema } from '../api/load-scenario';
import { OTHER_ROUTES, ReplayError, parseAccessLog, replayOf, routeOfPath } from './replay';

const T0 = Date.parse('2026-12-07T10:00:00.000Z');

describe('access logs', () => {
  it('reads nginx JSON (msec, request_method, request_uri) and Envoy JSON (start_time, method, path)', () => {
    const nginx = JSON.stringify({
      msec: '1796637600.123',
      request_method: 'GET',
      request_uri: '/items/1?x=1',
      status: '200',
    });
    const nginxLine = JSON.stringify({ time_local: '07/Dec/2026:10:00:01 +0000', request: 'POST /orders HTTP/1.1' });
    const envoy = JSON.stringify({
      start_time: '2026-12-07T10:00:02.500Z',
      method: 'DELETE',
      path: '/items/2',
      response_code: 204,
    });
    expect(parseAccessLog([envoy, nginxLine, '', nginx].join('\n'))).toEqual([
      { atMs: T0 + 123, method: 'GET', path: '/items/1?x=1' },
      { atMs: T0 + 1000, method: 'POST', path: '/orders' },
      { atMs: T0 + 2500, method: 'DELETE', path: '/items/2' },
    ]);
  });

  it('names the line that is not a request', () => {
    expect(() => parseAccessLog('{"msec":"1"}\nnot json')).toThrow(ReplayError);
    expect(() => parseAccessLog('{"msec":"1","request_method":"GET","request_uri":"/"}\nnot json')).toThrow(
      /^line 2: not JSON/,
    );
    expect(() => parseAccessLog('{"request_method":"GET","request_uri":"/"}')).toThrow(/^line 1: no time/);
    expect(() => parseAccessLog('{"start_time":"2026-12-07T10:00:00Z","method":"GET"}', 'envoy-json')).toThrow(
      /^line 1: no method and path/,
    );
  });

  const ok = '{"msec":"1796637600.000","request_method":"GET","request_uri":"/a"}';
  const line = (fields: Record<string, unknown>) =>
    JSON.stringify({ msec: '1796637600.100', request_method: 'GET', request_uri: '/b', ...fields });

  it('refuses a time that Number() would read as the epoch (null, "", true), naming the line and field', () => {
    for (const msec of [null, '', true, '-'])
      expect(() => parseAccessLog(`${ok}\n${line({ msec })}`)).toThrow(
        new RegExp(`^line 2: msec ${JSON.stringify(JSON.stringify(msec)).slice(1, -1)} is not a time`),
      );
    expect(() => parseAccessLog(`${ok}\n${JSON.stringify({ time_iso8601: 'nonsense', request_uri: '/' })}`)).toThrow(
      /^line 2: time_iso8601 "nonsense" is not a time/,
    );
  });

  it('refuses a method or path that is not what a request line holds, naming the line', () => {
    expect(() => parseAccessLog(`${ok}\n${line({ request_method: 'GET\r\nX' })}`)).toThrow(
      /^line 2: method "GET\\r\\nX" is not an HTTP method/,
    );
    expect(() => parseAccessLog(`${ok}\n${line({ request_uri: '/a b' })}`)).toThrow(/^line 2: path "\/a b" holds " "/);
    expect(() => parseAccessLog(`${ok}\n${line({ request_uri: '/x\r\nHost: evil' })}`)).toThrow(/^line 2: path/);
    expect(() => parseAccessLog(`${ok}\n[1,2]`)).toThrow(/^line 2: not a JSON object/);
  });

  it('replays //host/... as a path of the target, never as another host', () => {
    const requests = parseAccessLog(
      `${ok}\n${line({ request_uri: '//evil.host/x' })}\n${JSON.stringify({ msec: '1796637600.2', request: 'GET //evil.host/y HTTP/1.1' })}`,
    );
    expect(requests.map((r) => r.path)).toEqual(['/a', '/evil.host/x', '/evil.host/y']);
  });

  it('measures a replayed route under the name a threshold can give it', () => {
    const replay = replayOf(parseAccessLog(line({ request_uri: '/search,all/%C3%A4?q=1' })), { speedup: 1 });
    expect(replay.arrivals[0]!.request.route).toBe('GET /search_all/_C3_A4');
    expect(replay.scenario.requests.map((r) => r.name)).toEqual(['GET /search_all/_C3_A4']);
  });

  it('names at most 64 routes, the busiest, and one for the rest, so results and metric labels stay bounded', () => {
    // 100 pages by slug, page i requested i + 1 times.
    const lines = Array.from({ length: 100 }, (_, i) =>
      Array.from({ length: i + 1 }, (_, k) =>
        line({ msec: `1796637600.${String(k).padStart(3, '0')}`, request_uri: `/articles/page-${i}` }),
      ),
    ).flat();
    const replay = replayOf(parseAccessLog(lines.join('\n')), { speedup: 1 });
    const routes = new Set(replay.arrivals.map((a) => a.request.route));
    expect(routes.size).toBe(64);
    expect(routes.has('GET /articles/page-99')).toBe(true);
    expect(routes.has('GET /articles/page-36')).toBe(false);
    const scenario = LoadScenarioSchema.parse(replay.scenario);
    expect(scenario.requests.map((r) => r.name)).toEqual([
      ...Array.from({ length: 63 }, (_, i) => `GET /articles/page-${99 - i}`),
      OTHER_ROUTES,
    ]);
    // The 37 quietest pages: 1 + 2 + ... + 37 requests, every one still sent.
    expect(scenario.requests.at(-1)).toMatchObject({ name: OTHER_ROUTES, weight: (37 * 38) / 2 });
    expect(replay.arrivals).toHaveLength(5050);
  });

  it('names routes without ids and queries', () => {
    expect(routeOfPath('GET', '/users/42/orders/0b8a1c52-3f7e-4a1b-9c8d-2e6f7a9b0c1d?page=2')).toBe(
      'GET /users/{id}/orders/{id}',
    );
  });

  it('replays every request at its logged offset divided by the speed-up', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 200 }),
        fc.constantFrom(1, 2, 4),
        (gaps, speedup) => {
          let at = T0;
          const lines = gaps.map((gap, i) =>
            JSON.stringify({
              msec: ((at += gap) / 1000).toFixed(3),
              request_method: i % 3 ? 'GET' : 'POST',
              request_uri: `/r/${i % 5}`,
            }),
          );
          const replay = replayOf(parseAccessLog(lines.join('\n'), 'nginx-json'), { speedup });
          expect(replay.arrivals).toHaveLength(gaps.length);
          const first = T0 + (gaps[0] ?? 0);
          let t = T0;
          gaps.forEach((gap, i) => {
            t += gap;
            expect(replay.arrivals[i]!.offsetMs).toBeCloseTo((t - first) / speedup, 6);
          });
          expect(replay.peakRate).toBeGreaterThanOrEqual(1);
          expect(replay.scenario.requests.reduce((n, r) => n + r.weight, 0)).toBe(gaps.length);
        },
      ),
      { numRuns: 50 },
    );
  });
});
