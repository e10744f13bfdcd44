import type { JsonPatchOp } from './kube-client';
import { statusEqual, statusPatch, writeStatus } from './status';

describe('statusEqual', () => {
  it('ignores key order and undefined members, not values', () => {
    expect(statusEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(statusEqual({ a: 1, gone: undefined }, { a: 1 })).toBe(true);
    expect(statusEqual(undefined, {})).toBe(true);
    expect(statusEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(statusEqual({ a: 1 }, { a: '1' })).toBe(false);
  });
});

describe('writeStatus', () => {
  const object = (resourceVersion?: string) => ({
    apiVersion: 'understudy.dev/v1alpha1',
    kind: 'DataSeed',
    metadata: { namespace: 'ns', name: 's', ...(resourceVersion ? { resourceVersion } : {}) },
    status: { phase: 'Running' },
  });

  it('replaces the status only at the resourceVersion it was read at', async () => {
    const sent: JsonPatchOp[][] = [];
    const client = {
      jsonPatch: async <T>(_ref: unknown, ops: JsonPatchOp[]) => (
        sent.push(ops),
        { ...object('8'), status: { phase: 'Succeeded' } } as T
      ),
    };
    const { written } = await writeStatus(client as never, object('7'), { phase: 'Succeeded' });
    expect(written).toBe(true);
    expect(sent).toEqual([
      [
        { op: 'replace', path: '/metadata/resourceVersion', value: '7' },
        { op: 'add', path: '/status', value: { phase: 'Succeeded' } },
      ],
    ]);
    // Unchanged: no request at all.
    expect((await writeStatus(client as never, object('8'), { phase: 'Running' })).written).toBe(false);
    expect(sent).toHaveLength(1);
  });

  it('refuses to write from an object that was not read from the server (no resourceVersion to guard with)', () => {
    expect(() => statusPatch(object(), { phase: 'Succeeded' })).toThrow(
      /DataSeed ns\/s: .*metadata.resourceVersion is missing/,
    );
  });
});
