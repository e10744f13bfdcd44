import { z } from 'zod';
import type { KindDefinition } from './kind';

type JsonSchema = { [key: string]: unknown };

// zod renders integers with Number.MAX_SAFE_INTEGER bounds; they carry no
// meaning for the API server and only clutter `kubectl explain`.
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MIN_SAFE = Number.MIN_SAFE_INTEGER;

/**
 * Turns zod's OpenAPI 3.0 output into a Kubernetes structural schema:
 * no `additionalProperties: false`, int-or-string without anyOf, and no
 * keywords the API server rejects.
 */
export function toStructural(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema' || key === 'id' || key === 'title') continue;
    if (key === 'additionalProperties' && value === false) continue;
    if ((key === 'maximum' && value === MAX_SAFE) || (key === 'minimum' && value === MIN_SAFE)) continue;
    if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toStructural(v as JsonSchema)]));
    } else if ((key === 'items' || key === 'additionalProperties') && isObject(value)) {
      out[key] = toStructural(value);
    } else if ((key === 'anyOf' || key === 'oneOf' || key === 'allOf') && Array.isArray(value)) {
      out[key] = value.map((v) => toStructural(v as JsonSchema));
    } else {
      out[key] = value;
    }
  }
  if (out['x-kubernetes-int-or-string'] === true) {
    delete out.anyOf;
    delete out.oneOf;
    delete out.type;
  }
  if (out['x-kubernetes-preserve-unknown-fields'] === true && out.type === undefined) {
    out.type = 'object';
  }
  // Kubernetes only lets a union carry validation keywords inside its
  // branches when the node itself declares the type, so hoist it.
  const branches = (out.anyOf ?? out.oneOf) as JsonSchema[] | undefined;
  if (branches && out.type === undefined) {
    const types = new Set(branches.map((b) => b.type));
    if (types.size === 1 && [...types][0] !== undefined) {
      out.type = [...types][0];
      const merged: JsonSchema = {};
      for (const b of branches) {
        if (isObject(b.properties)) Object.assign(merged, b.properties);
      }
      if (Object.keys(merged).length > 0) out.properties = merged;
      for (const b of branches) delete b.type;
    }
  }
  return out;
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function renderSchema(schema: z.ZodType): JsonSchema {
  const rendered = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return toStructural(rendered);
}

/** The CustomResourceDefinition of one kind, as a plain object ready for YAML. */
export function crdFor(def: KindDefinition): JsonSchema {
  const spec = renderSchema(def.spec);
  if (def.specValidations?.length) {
    spec['x-kubernetes-validations'] = [
      ...((spec['x-kubernetes-validations'] as unknown[]) ?? []),
      ...def.specValidations,
    ];
  }
  const status = renderSchema(def.status);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${def.plural}.${def.group}`,
      labels: { 'app.kubernetes.io/name': 'understudy', 'app.kubernetes.io/part-of': 'understudy' },
    },
    spec: {
      group: def.group,
      scope: def.scope ?? 'Namespaced',
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: def.categories,
      },
      versions: [
        {
          name: def.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.printerColumns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: def.description,
              required: ['spec'],
              properties: {
                apiVersion: {
                  type: 'string',
                  description: 'APIVersion defines the versioned schema of this representation of an object.',
                },
                kind: {
                  type: 'string',
                  description: 'Kind is a string value representing the REST resource this object represents.',
                },
                metadata: { type: 'object' },
                spec: spec,
                status: status,
              },
            },
          },
        },
      ],
    },
  };
}
