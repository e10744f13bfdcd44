import { z } from 'zod';
import type { TransformerDefinition } from './definition';
import { TRANSFORMERS } from './registry';

// Rule parameters in the CRD. A structural schema gives every field one type
// and cannot switch on a sibling (oneOf branches may not declare types), so
// `params` lists the union of every transformer's parameters, each typed and
// bounded as its zod schema says, and CEL on the rule ties each parameter to
// the transformers that take it and requires the required ones. A parameter
// name therefore has one schema across all transformers (checked here).

type JsonSchema = Record<string, unknown>;

function paramSchemas(def: TransformerDefinition): { properties: Record<string, JsonSchema>; required: string[] } {
  const rendered = z.toJSONSchema(def.params, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  const properties = (rendered.properties ?? {}) as Record<string, JsonSchema>;
  for (const schema of Object.values(properties)) nameNestedTransforms(schema);
  return { properties, required: (rendered.required ?? []) as string[] };
}

/**
 * Inside parameters, a `transform` field names a transformer (json paths): the
 * definitions cannot import the registry they are part of, so its names are
 * added here, and the API server refuses a misspelt nested transformer too.
 */
function nameNestedTransforms(schema: JsonSchema): void {
  const props = schema.properties as Record<string, JsonSchema> | undefined;
  if (props?.transform?.type === 'string') props.transform.enum = TRANSFORMERS.names();
  for (const child of Object.values(props ?? {})) nameNestedTransforms(child);
  if (schema.items && typeof schema.items === 'object') nameNestedTransforms(schema.items as JsonSchema);
}

/** The schema without what may differ between transformers sharing a parameter name. */
function shapeOf(schema: JsonSchema): string {
  const { description: _d, default: _f, ...rest } = schema;
  return JSON.stringify(rest);
}

interface UnionParam {
  schema: JsonSchema;
  owners: string[];
}

function unionOf(defs: readonly TransformerDefinition[]): Map<string, UnionParam> {
  const union = new Map<string, UnionParam>();
  for (const def of defs) {
    for (const [name, schema] of Object.entries(paramSchemas(def).properties)) {
      const seen = union.get(name);
      if (seen && shapeOf(seen.schema) !== shapeOf(schema)) {
        throw new Error(
          `parameter ${name} of ${def.name} differs in type from the one of ${seen.owners.join(', ')}: a CRD field has one schema, rename one of them`,
        );
      }
      if (seen) seen.owners.push(def.name);
      else union.set(name, { schema, owners: [def.name] });
    }
  }
  return union;
}

/**
 * `params` of a rule: every parameter of every transformer, typed. No defaults
 * (the API server would write a transformer's default into every rule); the
 * operator fills them in.
 */
export function paramsSchema(defs: readonly TransformerDefinition[] = TRANSFORMERS.all()): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [name, { schema, owners }] of unionOf(defs)) {
    const { default: _default, description, ...rest } = schema;
    properties[name] = {
      ...rest,
      description: `${owners.join(', ')}: ${typeof description === 'string' ? description : ''}`.trim(),
    };
  }
  return { type: 'object', properties };
}

const list = (names: string[]): string => `[${names.map((n) => `'${n}'`).join(', ')}]`;

/** CEL on a rule: each parameter only with a transformer that takes it, each required parameter present. */
export function paramsValidations(defs: readonly TransformerDefinition[] = TRANSFORMERS.all()): JsonSchema[] {
  const rules: JsonSchema[] = [];
  for (const [name, { owners }] of unionOf(defs)) {
    rules.push({
      rule: `!has(self.params) || !has(self.params.${name}) || self.transform in ${list(owners)}`,
      message: `params.${name} is a parameter of ${owners.join(', ')} only`,
    });
  }
  for (const def of defs) {
    for (const name of paramSchemas(def).required) {
      rules.push({
        rule: `self.transform != '${def.name}' || (has(self.params) && has(self.params.${name}))`,
        message: `transform ${def.name} needs params.${name}`,
      });
    }
  }
  return rules;
}
