import { type DataSeedSpec, DataSeedSpecSchema, type DataSeedStatus, DataSeedStatusSchema } from '../../api/dataseed';
import type { CustomObject } from '../../kinds';

export type DataSeedObject = CustomObject;

export type ParsedSpec = { ok: true; spec: DataSeedSpec } | { ok: false; message: string };

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/**
 * The spec checked by the same schema the CRD was generated from. The API
 * server already refuses most bad specs; what reaches here (a rule only zod
 * states, an object written before the CRD changed) is reported naming the field.
 */
export function parseSpec(raw: unknown): ParsedSpec {
  const parsed = DataSeedSpecSchema.safeParse(raw);
  if (parsed.success) return { ok: true, spec: parsed.data };
  const issues = parsed.error.issues.slice(0, 3).map((i) => `spec${fieldPath(i.path)}: ${i.message}`);
  return { ok: false, message: issues.join('; ') };
}

/**
 * The status as last written; a shape the operator does not write (a hand
 * edit, an older version) counts as none, so the seed simply runs again.
 */
export function storedStatus(obj: DataSeedObject): DataSeedStatus | undefined {
  if (obj.status === undefined) return undefined;
  const parsed = DataSeedStatusSchema.safeParse(obj.status);
  return parsed.success ? parsed.data : undefined;
}

export function generationOf(obj: DataSeedObject): number {
  return obj.metadata?.generation ?? 0;
}
