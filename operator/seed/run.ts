import { createHash, createHmac } from 'node:crypto';
import type { DataSeedSpec } from '../api/dataseed';
import type { DriverFactory, SeedDatabase } from './driver';
import { connectionLossAsSeedError } from './connection-loss';
import { SeedError } from './errors';
import { TenantNetworkRefusal } from '../runtime/tenant-network';
import { compareProfiles, thresholdsOfSpec, type FidelityThresholds } from './fidelity';
import { KeyedHash } from './keyed';
import { scanForLeaks } from './leak-scan';
import { type Profile, type SchemaInfo, type TableInfo, tableId } from './model';
import { personalClassifier } from './pii';
import { type LoadPlan, planLoadOrder } from './plan';
import { PostgresDatabase } from './postgres/driver';
import { ProgressMeter } from './progress';
import { planRules, type RulePlan } from './rules';
import { runFixtures, runSql } from './plain-sources';
import { anonymizeJobs, preflightChecks } from './anonymize';
import { type SeedJob, deferredFill } from './jobs';
import { expectedRows, synthesisJobs } from './synthesize';
import { emptyTables, writeTables } from './write-tables';
import { checkedSubsetRoots } from './subset-conditions';
import { emptiedRecordSql } from './postgres/session';
import { refreshGolden } from './postgres/golden-refresh';
import type { RunOptions, SeedReport, SeedRequest, TableResult } from './report';

// One engine for every source: plan and check everything first, then write in
// foreign-key order, then verify (integrity, fidelity, leaks).

export type { RunOptions, SeedReport, SeedRequest } from './report';

export function sourceKind(spec: DataSeedSpec): SeedReport['source'] {
  const s = spec.source;
  return s.synthesize ? 'synthesize' : s.anonymize ? 'anonymize' : s.sql ? 'sql' : 'fixtures';
}

function selectTables(schema: SchemaInfo, exclude: string[]): SchemaInfo {
  const excluded = (t: TableInfo): boolean => exclude.some((e) => e === tableId(t) || e === t.name);
  return { tables: schema.tables.filter((t) => !excluded(t)) };
}

/** The spec's thresholds over the defaults (fan-out included), so an unset threshold is the default, never "unchecked". */
function thresholdsOf(spec: DataSeedSpec): FidelityThresholds {
  return thresholdsOfSpec(spec.fidelity);
}

export function digestOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

async function open(factory: DriverFactory, url: string, role: string): Promise<SeedDatabase> {
  try {
    return await factory(url);
  } catch (err) {
    if (err instanceof TenantNetworkRefusal) throw new SeedError('InvalidSpec', err.message);
    throw new SeedError('ConnectionFailed', `cannot connect to the ${role} database: ${(err as Error).message}`);
  }
}

function failOnPlanErrors(plan: RulePlan): void {
  if (plan.errors.length === 0) return;
  const strict = plan.errors[0]!.startsWith('strict mode');
  throw new SeedError(
    strict ? 'UncoveredColumns' : 'RuleConflict',
    strict ? plan.errors[0]! : 'rules conflict with the schema',
    strict ? plan.errors.slice(1) : plan.errors,
  );
}

/** Stops between steps when the caller gave up (operator shutdown, a newer spec). */
function stopIfCancelled(signal: AbortSignal | undefined, touched: boolean): void {
  if (signal?.aborted) throw new SeedError('Cancelled', 'the seed was cancelled before it finished', [], touched);
}

/**
 * Runs one seed. Throws SeedError; any failure before writing leaves the
 * target untouched. An aborted `signal` ends it with reason Cancelled.
 */
export async function runSeed(request: SeedRequest, opts: RunOptions = {}): Promise<SeedReport> {
  // spec.golden: the same seed, into a fresh copy that replaces the golden only once it succeeded.
  return request.spec.golden ? refreshGolden(request, opts, runOnce) : runOnce(request, opts);
}

async function runOnce(request: SeedRequest, opts: RunOptions): Promise<SeedReport> {
  try {
    return await seed(request, opts);
  } catch (err) {
    if (!opts.signal?.aborted || (err instanceof SeedError && err.reason === 'Cancelled'))
      throw connectionLossAsSeedError(err);
    // Whatever broke after the abort (a COPY cut short) is a consequence of it.
    throw new SeedError(
      'Cancelled',
      'the seed was cancelled before it finished',
      [],
      err instanceof SeedError ? err.targetTouched : true,
    );
  }
}

async function seed(request: SeedRequest, opts: RunOptions): Promise<SeedReport> {
  const factory = opts.openDatabase ?? ((url: string) => PostgresDatabase.open(url));
  const targetFactory = opts.openDatabase ?? ((url: string) => PostgresDatabase.open(url, opts.targetStream));
  const log = opts.log ?? (() => undefined);
  const kind = sourceKind(request.spec);
  const started = Date.now();
  stopIfCancelled(opts.signal, false);
  const target = await open(targetFactory, request.target, 'target');
  let source: SeedDatabase | undefined;
  try {
    const schema = selectTables(await target.introspect(request.spec.schemas), request.spec.exclude);
    if (kind === 'sql') return finish(kind, started, await runSql(target, request.sql ?? ''));
    if (kind === 'fixtures')
      return finish(kind, started, await runFixtures(target, schema, request.fixtures ?? {}, request.spec, opts));
    const rules = [...request.spec.rules, ...(request.extraRules ?? [])];
    const plan = planRules(schema, rules, { mode: request.spec.mode, source: kind });
    failOnPlanErrors(plan);
    const load = planLoadOrder(schema);
    if (kind === 'synthesize') {
      let profile = request.profile;
      if (!profile) {
        if (!request.source)
          throw new SeedError(
            'InvalidSpec',
            'synthesize needs a profile or a database to profile (spec.source.synthesize.profile)',
          );
        source = await open(factory, request.source, 'production');
        log('profiling production from its catalogue');
        profile = await source.profile(schema, { analyze: true, personal: personalClassifier(rules), log });
      }
      checkProfileMatches(schema, profile);
      const expected = expectedRows(schema, profile, request.spec);
      const meter = new ProgressMeter(
        opts.onProgress,
        [...expected.values()].reduce((a, b) => a + b, 0),
      );
      const jobs = synthesisJobs(schema, profile, plan, load, expected, request.spec, target.codec, meter);
      stopIfCancelled(opts.signal, false);
      const writeStarted = Date.now();
      let verifyStarted = 0;
      let report: SeedReport | undefined;
      // Verified before COMMIT, through the writer's transaction: a failed check leaves the target as it was.
      await writeMarked(
        target,
        jobs,
        load,
        request.spec,
        opts,
        `synthesize ${profile.database}`,
        async (view, tables) => {
          stopIfCancelled(opts.signal, false);
          verifyStarted = Date.now();
          report = finish(kind, started, tables);
          report.piiCoverage = plan.coverage;
          report.profileDigest = digestOf(profile.tables);
          report.integrity = await view.checkIntegrity(schema);
          const targetProfile = await view.profile(schema, {
            analyze: true,
            personal: (t, c) => profile.tables[tableId(t)]?.columns[c]?.personal,
          });
          report.fidelity = compareProfiles(
            profile,
            targetProfile,
            expected,
            thresholdsOf(request.spec),
            report.integrity,
          );
          report.timings = timings(started, writeStarted, verifyStarted);
          verify(report, request.spec);
        },
      );
      return withTotals(report!, started, writeStarted, verifyStarted);
    }
    // anonymize
    const anonymize = request.spec.source.anonymize!;
    if (!request.source)
      throw new SeedError('InvalidSpec', 'anonymize needs the source database (spec.source.anonymize.from)');
    if (!request.key) throw new SeedError('InvalidSpec', 'anonymize needs the masking key (spec.source.anonymize.key)');
    const keyed = new KeyedHash(request.key);
    const roots = anonymize.subset ? await checkedSubsetRoots(schema, plan, anonymize.subset) : [];
    source = await open(factory, request.source, 'production');
    const sourceSchema = await source.introspect(request.spec.schemas);
    checkSourceMatches(schema, sourceSchema);
    const subsetSeed = BigInt(
      `0x${createHmac('sha256', request.key).update('subset').digest('hex').slice(0, 14)}`,
    ).toString();
    const predicate = anonymize.subset
      ? source.subsetPredicates(schema, {
          roots,
          followReferencing: anonymize.subset.followReferencing,
          seed: subsetSeed,
          order: load.order,
          deferred: load.deferred,
        })
      : () => undefined;
    await preflightChecks(source, target, schema, plan, keyed, predicate);
    // Without a subset the catalogue's estimate gives the progress bar a total and an ETA.
    const meter = new ProgressMeter(opts.onProgress, anonymize.subset ? undefined : await source.estimateRows(schema));
    const unchanged = new Map<string, number>();
    const jobs = anonymizeJobs(
      source,
      schema,
      plan,
      load,
      keyed,
      predicate,
      request.spec.batchRows,
      target.codec,
      meter,
      anonymize.subset !== undefined,
      unchanged,
    );
    stopIfCancelled(opts.signal, false);
    const writeStarted = Date.now();
    let verifyStarted = 0;
    let report: SeedReport | undefined;
    // Verified before COMMIT, through the writer's transaction: a leak or a broken key leaves the target as it was.
    await writeMarked(target, jobs, load, request.spec, opts, 'anonymize', async (view, tables) => {
      stopIfCancelled(opts.signal, false);
      verifyStarted = Date.now();
      report = finish(kind, started, tables);
      report.piiCoverage = plan.coverage;
      report.profileDigest = digestOf(sourceSchema);
      // One connection reads the uncommitted rows, so the integrity check and the leak scan take turns on it.
      report.integrity = await view.checkIntegrity(schema);
      if (request.spec.leakScan) {
        const scanned = await scanForLeaks(source!, view, schema, plan.columns, opts.leakScanLimit ?? 1_000_000);
        report.leaks = [
          ...[...unchanged].map(([column, values]) => ({ column, values, check: 'row' as const })),
          ...scanned,
        ];
      }
      if (request.spec.fidelity) {
        const personal = personalClassifier(rules);
        const [sp, tp] = [
          await source!.profile(schema, { analyze: false, personal }),
          await view.profile(schema, { analyze: true, personal }),
        ];
        report.fidelity = compareProfiles(
          sp,
          tp,
          new Map(Object.entries(tp.tables).map(([id, t]) => [id, t.rows])),
          thresholdsOf(request.spec),
          report.integrity,
        );
      }
      report.timings = timings(started, writeStarted, verifyStarted);
      verify(report, request.spec);
    });
    return withTotals(report!, started, writeStarted, verifyStarted);
  } finally {
    await source?.close();
    await target.close();
  }
}

/**
 * Writes the jobs in one transaction, `check` running before its COMMIT. With parallelism > 1 (the
 * default) the run is also recorded in `understudy.seed_runs`, closing markers of seeds that died.
 */
async function writeMarked(
  target: SeedDatabase,
  jobs: SeedJob[],
  load: LoadPlan,
  spec: DataSeedSpec,
  opts: RunOptions,
  what: string,
  check: (view: SeedDatabase, tables: TableResult[]) => Promise<void>,
): Promise<TableResult[]> {
  const description = `${what} into ${jobs.length} tables`;
  // Emptying records itself in seed_runs, so the marker (which creates the table) is needed then too.
  const marker = spec.parallelism > 1 || spec.onFailure === 'Empty' ? await target.markRun(description) : undefined;
  try {
    const tables = await writeTables(target, jobs, load, {
      parallelism: spec.parallelism,
      reset: spec.reset,
      signal: opts.signal,
      foreignKeys: spec.foreignKeyChecks,
      deferredKeys: new Set(load.deferred.map((d) => `${d.table}.${d.fk.name}`)),
      afterLoad: deferredFill(jobs),
      verify: check,
    });
    // Committed and verified: a marker that cannot be closed now (its connection ended) is closed by the next seed.
    await marker
      ?.finish('Succeeded', `${tables.reduce((s, t) => s + t.rows, 0)} rows`)
      .catch((err: Error) => opts.log?.(`could not record the seed's success in understudy.seed_runs: ${err.message}`));
    return tables;
  } catch (err) {
    const emptied =
      spec.onFailure === 'Empty' && !(err instanceof SeedError && err.reason === 'Cancelled')
        ? await emptyAfterFailure(target, jobs, description, err as Error)
        : undefined;
    await marker
      ?.finish('Failed', `${(err as Error).message} (${emptied ?? 'rolled back: the target is as it was'})`)
      .catch(() => undefined);
    if (emptied && err instanceof Error) err.message = `${err.message}; ${emptied}`;
    throw err;
  }
}

/** onFailure Empty: what became of the target, for the error and the marker; never throws. */
async function emptyAfterFailure(
  target: SeedDatabase,
  jobs: SeedJob[],
  description: string,
  err: Error,
): Promise<string> {
  try {
    await emptyTables(
      target,
      jobs.map((j) => j.table),
      emptiedRecordSql(description, err.message),
    );
    return 'rolled back, then the seeded tables were emptied and the failure recorded in understudy.seed_runs (onFailure: Empty)';
  } catch (emptyErr) {
    return `rolled back; emptying the tables failed (${(emptyErr as Error).message}), so the target is as it was`;
  }
}

/** The report's totals and timings as of the COMMIT, which the verification preceded. */
function withTotals(report: SeedReport, started: number, writeStarted: number, verifyStarted: number): SeedReport {
  const done = finish(report.source, started, report.tables);
  return { ...report, totals: done.totals, timings: timings(started, writeStarted, verifyStarted) };
}

function timings(started: number, writeStarted: number, verifyStarted: number): SeedReport['timings'] {
  const now = Date.now();
  return {
    prepareSeconds: (writeStarted - started) / 1000,
    writeSeconds: (verifyStarted - writeStarted) / 1000,
    verifySeconds: (now - verifyStarted) / 1000,
  };
}

function finish(source: SeedReport['source'], started: number, tables: TableResult[]): SeedReport {
  const seconds = (Date.now() - started) / 1000;
  const rows = tables.reduce((s, t) => s + t.rows, 0);
  return { source, tables, totals: { rows, seconds, rowsPerSecond: Math.round(rows / Math.max(seconds, 1e-3)) } };
}

/** Integrity problems and leaks always fail a seed; fidelity thresholds only when enforced. Runs before COMMIT, so the target is untouched. */
function verify(report: SeedReport, spec: DataSeedSpec): void {
  if (report.leaks && report.leaks.length > 0) {
    throw new SeedError(
      'LeakDetected',
      'the leak scan found production values in masked columns',
      report.leaks.map((l) => `${l.column}: ${l.values} value(s)`),
      false,
    ).withReport(report);
  }
  const integrity = report.integrity;
  if (integrity && (integrity.foreignKeyOrphans > 0 || integrity.uniqueViolations > 0)) {
    throw new SeedError(
      'IntegrityFailed',
      'the seeded data breaks referential integrity or uniqueness',
      integrity.details,
      false,
    ).withReport(report);
  }
  if (report.fidelity && !report.fidelity.passed && spec.fidelity?.enforce) {
    throw new SeedError('FidelityFailed', 'fidelity thresholds exceeded', report.fidelity.violations, false).withReport(
      report,
    );
  }
}

function checkProfileMatches(schema: SchemaInfo, profile: Profile): void {
  const problems: string[] = [];
  for (const table of schema.tables) {
    const p = profile.tables[tableId(table)];
    if (!p) continue;
    for (const c of table.columns)
      if (!p.columns[c.name] && !c.generated && c.notNull && !c.hasDefault)
        problems.push(`${tableId(table)}.${c.name} is not in the profile`);
  }
  if (problems.length > 0)
    throw new SeedError('SchemaMismatch', 'the target schema differs from the profiled one', problems);
}

function checkSourceMatches(target: SchemaInfo, source: SchemaInfo): void {
  const problems: string[] = [];
  const byId = new Map(source.tables.map((t) => [tableId(t), t]));
  for (const table of target.tables) {
    const s = byId.get(tableId(table));
    if (!s) {
      problems.push(`${tableId(table)} does not exist in the source`);
      continue;
    }
    for (const c of table.columns)
      if (!c.generated && !s.columns.some((x) => x.name === c.name))
        problems.push(`${tableId(table)}.${c.name} does not exist in the source`);
  }
  if (problems.length > 0) throw new SeedError('SchemaMismatch', 'the target schema differs from the source', problems);
}
