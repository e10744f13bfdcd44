import type { z } from 'zod';
import { GROUP, VERSION } from './common';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface CelRule {
  rule: string;
  message: string;
  /** JSON path of the field the message is about, so errors name it. */
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/**
 * Everything the CRD generator and the runtime need to know about one kind.
 * The zod schemas are the single source of truth: the CRD's OpenAPI schema is
 * rendered from them and the controllers parse specs with them.
 */
export interface KindDefinition<Spec extends z.ZodType = z.ZodType, Status extends z.ZodType = z.ZodType> {
  group: typeof GROUP;
  version: typeof VERSION;
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  description: string;
  /** Cluster for admin-owned kinds (Baseline); Namespaced otherwise. */
  scope?: 'Namespaced' | 'Cluster';
  spec: Spec;
  status: Status;
  printerColumns: PrinterColumn[];
  /** CEL rules on the spec as a whole (field-level rules live on the field's schema as metadata). */
  specValidations?: CelRule[];
}
