import type { KubeObject } from '../config/normalize';
import { ManifestObjectSource } from './manifests';

const object = (kind: string, name: string, namespace?: string, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) },
});

describe('production from rendered manifests', () => {
  it("lists the compared kinds rendered for the namespace (or for none), within the Baseline's selector", async () => {
    const source = new ManifestObjectSource(
      [
        object('ConfigMap', 'a', 'shop', { part: 'shop' }),
        object('ConfigMap', 'b', undefined, { part: 'shop' }),
        object('ConfigMap', 'c', 'other', { part: 'shop' }),
        object('ConfigMap', 'd', 'shop'),
        object('Role', 'r', 'shop', { part: 'shop' }),
      ],
      'production manifests (ConfigMap admin/shop)',
      { matchLabels: { part: 'shop' } },
    );
    const { objects, forbidden } = await source.list('shop', ['ConfigMap', 'Service']);
    expect(objects.map((o) => [o.metadata.name, o.metadata.namespace])).toEqual([
      ['a', 'shop'],
      ['b', 'shop'],
    ]);
    expect(forbidden).toEqual([]);
    expect(source.requests()).toBe(0);
  });
});
