import type { Socket } from 'node:net';
import type { DataSeedSpec, Rule } from '../api/dataseed';
import type { DriverFactory, IntegrityReport } from './driver';
import type { FidelityReport } from './fidelity';
import type { LeakHit } from './leak-scan';
import type { Profile } from './model';
import type { ProgressListener } from './progress';

// What a seed is asked and what it answers, apart from the engine (run.ts),
// so that errors, sources and writers can name them without importing it.

/** A golden refresh that swapped its filled copy in. */
export interface GoldenOutcome {
  database: string;
  refreshedAt: string;
  /** The previous golden, renamed and left because it could not be dropped (a session on it). */
  leftOver?: string;
}

/** One table's load. */
export interface TableResult {
  name: string;
  rows: number;
  seconds: number;
}

export interface SeedRequest {
  spec: DataSeedSpec;
  /** Connection URLs, already resolved from Secrets by the caller. */
  target: string;
  /** The production database: anonymize's `from`, or synthesize's `profile.fromDatabase`. */
  source?: string;
  /** A stored profile, for synthesize from a ConfigMap or file. */
  profile?: Profile;
  /** The masking key, for anonymize. */
  key?: Buffer;
  /** Rules from `rulesFrom`, added to spec.rules. */
  extraRules?: Rule[];
  sql?: string;
  fixtures?: Record<string, Array<Record<string, unknown>>>;
}

export interface RunOptions {
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  log?: (message: string) => void;
  openDatabase?: DriverFactory;
  /**
   * How connections to request.target are made (node-postgres's `stream`): the operator's guard for a tenant's
   * database, which it connects to from its own network position. Absent, a plain socket.
   */
  targetStream?: () => Socket;
  /** Most distinct values fingerprinted per column by the leak scan. */
  leakScanLimit?: number;
}

export interface SeedReport {
  source: 'synthesize' | 'anonymize' | 'sql' | 'fixtures';
  tables: TableResult[];
  totals: { rows: number; seconds: number; rowsPerSecond: number };
  fidelity?: FidelityReport;
  integrity?: IntegrityReport;
  piiCoverage?: { covered: number; total: number; personal: number };
  profileDigest?: string;
  leaks?: LeakHit[];
  /** spec.golden: the golden the seed filled and swapped in. */
  golden?: GoldenOutcome;
  /** Where the time went: planning and profiling, writing, and verifying (integrity, fidelity, leak scan). */
  timings?: { prepareSeconds: number; writeSeconds: number; verifySeconds: number };
}
