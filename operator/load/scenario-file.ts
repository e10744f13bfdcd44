import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { LoadScenarioSchema, LoadThresholdSchema, LoadValuesSchema } from '../api/load-scenario';
import { compileMix, routeName } from './mix';
import { checkThresholdRoutes } from './report';
import { TemplateError } from './template';

// `understudy load -f test.yaml`: the same scenarios, values and thresholds as
// a LoadTest's spec, with targets given as URLs (from a laptop, any URL).

export const ScenarioFileSchema = z
  .object({
    targets: z
      .record(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a target name'), z.string().url())
      .optional(),
    values: LoadValuesSchema.optional(),
    scenarios: z.array(LoadScenarioSchema).min(1).max(16),
    thresholds: z.array(LoadThresholdSchema).max(64).default([]),
  })
  .superRefine((file, ctx) => {
    const names = file.scenarios.map((s) => s.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i)
        ctx.addIssue({ code: 'custom', path: ['scenarios', i, 'name'], message: `scenario ${name} appears twice` });
    });
  });
export type ScenarioFile = z.infer<typeof ScenarioFileSchema>;

export class ScenarioError extends Error {}

/** A zod issue path as written in the file: `scenarios[0].requests[1].path`. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  const text = path.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : `${out}${out ? '.' : ''}${String(part)}`),
    '',
  );
  return text || '(root)';
}

/** Validates a parsed document: every problem named by its field, templates and threshold routes included. */
export function parseScenarioFile(document: unknown, source = 'scenario'): ScenarioFile {
  const parsed = ScenarioFileSchema.safeParse(document);
  if (!parsed.success) {
    throw new ScenarioError(
      `${source}: ${parsed.error.issues.map((i) => `${fieldPath(i.path)}: ${i.message}`).join('; ')}`,
    );
  }
  checkCompiles(parsed.data, source);
  return parsed.data;
}

export function checkCompiles(
  file: Pick<ScenarioFile, 'scenarios' | 'values' | 'thresholds'>,
  source: string,
  prefix = '',
): void {
  try {
    const valueNames = Object.keys(file.values ?? {});
    file.scenarios.forEach((s, i) => compileMix(s.requests, valueNames, `${prefix}scenarios[${i}].requests`));
    checkThresholdRoutes(
      file.thresholds,
      new Set(file.scenarios.flatMap((s) => s.requests.map(routeName))),
      `${prefix}thresholds`,
    );
  } catch (err) {
    if (err instanceof TemplateError || err instanceof Error) throw new ScenarioError(`${source}: ${err.message}`);
    throw err;
  }
}

export function readScenarioFile(path: string): ScenarioFile {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ScenarioError(`${path}: ${(err as Error).message}`);
  }
  return parseScenarioFile(document, path);
}
