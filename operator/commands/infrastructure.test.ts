import fc from 'fast-check';
import { UsageError } from './conventions';
import { parseSecretRef } from './infrastructure';

describe('understudy infrastructure run --result-secret', () => {
  it('takes <namespace>/<name>', () => {
    expect(parseSecretRef('understudy-system/understudy-infra-abc-up-1-result')).toEqual({
      namespace: 'understudy-system',
      name: 'understudy-infra-abc-up-1-result',
    });
  });

  it('refuses anything else as a usage error naming the flag', () => {
    for (const bad of ['', 'name-only', 'a/b/c', 'Upper/x', '/x', 'x/', '../etc/passwd'])
      expect(() => parseSecretRef(bad)).toThrow(UsageError);
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          const ref = parseSecretRef(text);
          expect(`${ref.namespace}/${ref.name}`).toBe(text);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          expect((error as Error).message).toContain('--result-secret');
        }
      }),
    );
  });
});
