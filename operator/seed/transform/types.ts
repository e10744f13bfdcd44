import type { TransformName } from '../../api/dataseed';
import type { Keyed } from '../keyed';
import type { ColumnInfo } from '../model';

// The shapes a transform is compiled from and into, apart from the compiler,
// so that the JSON-path transform (which compiles its inner transforms) and
// the compiler do not import each other.

/** Another column of the same row, decoded; used by per-entity transforms. */
export type RowLookup = (column: string) => string | null;
/** Transforms a non-null value; null stays null. */
export type ValueTransform = (value: string, row: RowLookup) => string | null;

export interface TransformSpec {
  transform: TransformName;
  params?: Record<string, unknown>;
}

export interface CompileContext {
  keyed: Keyed;
  column: ColumnInfo;
  /** The column is unique or part of a key, so the transform must be injective. */
  unique: boolean;
}

/** Compiles a nested transform (template placeholders, json paths) without importing the compiler. */
export type Compile = (spec: TransformSpec, ctx: CompileContext) => ValueTransform;
