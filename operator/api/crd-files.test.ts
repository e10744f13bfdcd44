import { resolve } from 'node:path';
import { staleCrdFiles } from '../commands/crds';
import { KINDS } from '.';
import { crdFor } from './crd';
import { renderReference } from './reference';

describe('generated CRDs', () => {
  it('match the API schemas (run `npx understudy crds` after changing operator/api)', () => {
    expect(staleCrdFiles(resolve(__dirname, '../..'))).toEqual([]);
  });

  it.each(KINDS.map((k) => [k.kind, k] as const))(
    '%s is structural: every node declares a type or int-or-string',
    (_name, kind) => {
      const untyped: string[] = [];
      const walk = (node: Record<string, unknown>, path: string) => {
        if (
          node.type === undefined &&
          node['x-kubernetes-int-or-string'] !== true &&
          node['x-kubernetes-preserve-unknown-fields'] !== true
        ) {
          untyped.push(path);
        }
        for (const [key, child] of Object.entries((node.properties as Record<string, Record<string, unknown>>) ?? {}))
          walk(child, `${path}.${key}`);
        if (node.items) walk(node.items as Record<string, unknown>, `${path}[]`);
        if (typeof node.additionalProperties === 'object')
          walk(node.additionalProperties as Record<string, unknown>, `${path}{}`);
      };
      const crd = crdFor(kind) as {
        spec: { versions: Array<{ schema: { openAPIV3Schema: Record<string, unknown> } }> };
      };
      walk(crd.spec.versions[0]!.schema.openAPIV3Schema, '');
      expect(untyped).toEqual([]);
    },
  );
});

describe('API reference', () => {
  const reference = renderReference(KINDS);

  it('documents every field of every kind, each with a description', () => {
    const rows = reference.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.filter((r) => r.trimEnd().endsWith('|  |') || / \| \|$/.test(r))).toEqual([]);
    for (const path of [
      'spec.scale.replicas',
      'spec.source.synthesize.scale.ratio',
      'status.findings[].severity',
      'status.nextAttemptAt',
    ]) {
      expect(reference).toContain(`\`${path}\``);
    }
  });
});
