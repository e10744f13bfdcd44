import { readFileSync } from 'node:fs';
import type { Rule } from '../api/dataseed';
import { SeedError } from './errors';
import { SeedReferenceError } from './resolve';

// What `understudy seed` and `understudy profile` check before anything runs,
// and how an outcome becomes an exit code. The codes match `dev` and `parity`:
// 0 success, 1 the seed ran and failed its checks, 2 bad input or unreachable.

export const EXIT_OK = 0;
export const EXIT_FAILED_CHECKS = 1;
export const EXIT_BAD_INPUT = 2;

/** Reasons that mean the run itself happened and its result was refused. */
const FAILED_CHECKS = new Set(['FidelityFailed', 'IntegrityFailed', 'LeakDetected', 'WriteFailed', 'Cancelled']);
/** Errors of the network or the server's front door: the database was not reached. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOENT',
  'EACCES',
  'EISDIR',
]);

export function exitCodeOf(err: unknown): number {
  if (err instanceof SeedError) return FAILED_CHECKS.has(err.reason) ? EXIT_FAILED_CHECKS : EXIT_BAD_INPUT;
  if (err instanceof SeedReferenceError) return EXIT_BAD_INPUT;
  const code = (err as { code?: unknown } | null)?.code;
  // PostgreSQL: 28xxx is authentication, 3D000 an unknown database.
  if (typeof code === 'string' && (UNREACHABLE.has(code) || code.startsWith('28') || code === '3D000'))
    return EXIT_BAD_INPUT;
  if (err instanceof RangeError || err instanceof TypeError) return EXIT_BAD_INPUT;
  return EXIT_FAILED_CHECKS;
}

/** A file the user named, read or refused with the flag and the path in the message (never a bare ENOENT). */
export function readUserFile(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory, not a file'
            : (err as Error).message;
    throw new SeedError('InvalidSpec', `${flag} ${path}: ${why}`);
  }
}

/** A ratio flag in (0, 1]; anything else is refused naming the flag and the value. */
export function fractionFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value.trim()) || !Number.isFinite(n) || n <= 0 || n > 1) {
    throw new SeedError(
      'InvalidSpec',
      `${flag} ${JSON.stringify(value)}: must be a decimal greater than 0 and at most 1, for example 0.1`,
    );
  }
  return value.trim();
}

/** A positive ratio flag (a scale may be above 1); refused naming the flag and the value. */
export function ratioFlag(flag: string, value: string | undefined, max = Infinity): string | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value.trim()) || !Number.isFinite(n) || n < 0 || n > max) {
    throw new SeedError(
      'InvalidSpec',
      `${flag} ${JSON.stringify(value)}: must be a decimal from 0${Number.isFinite(max) ? ` to ${max}` : ''}, for example 0.1`,
    );
  }
  return value.trim();
}

/** An integer flag, refused naming the flag and the value. */
export function integerFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value.trim()))
    throw new SeedError('InvalidSpec', `${flag} ${JSON.stringify(value)}: must be a whole number`);
  return Number(value);
}

/** Rules files: each read and parsed with its path in every error. */
export function rulesFromFiles(files: string[] | undefined, parse: (text: string, where: string) => Rule[]): Rule[] {
  return (files ?? []).flatMap((file) => parse(readUserFile('--rules', file), `--rules ${file}`));
}
