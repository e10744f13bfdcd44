import { Writable } from 'node:stream';
import { createLogger, logLevelFromEnv } from './logger';

describe('logger', () => {
  it('reads LOG_LEVEL, defaulting to info and refusing unknown levels by name', () => {
    expect(logLevelFromEnv({})).toBe('info');
    expect(logLevelFromEnv({ LOG_LEVEL: ' DEBUG ' })).toBe('debug');
    expect(() => logLevelFromEnv({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL must be one of .*got "verbose"/);
  });

  it('writes one JSON object per line with the child bindings on every line', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const log = createLogger({ level: 'info', destination }).child({
      controller: 'c',
      namespace: 'n',
      name: 'x',
      reconcileID: 'r',
    });
    log.info('one');
    log.debug('hidden');
    log.warn({ retries: 2 }, 'two');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toHaveLength(2);
    for (const line of parsed)
      expect(line).toMatchObject({ controller: 'c', namespace: 'n', name: 'x', reconcileID: 'r' });
    expect(parsed[1]).toMatchObject({ level: 'warn', msg: 'two', retries: 2 });
    expect(typeof parsed[0]!.time).toBe('string');
  });
});
