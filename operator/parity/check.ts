import type { Category, Finding, ParityCheckStatus, ResolvedParityCheck } from '../api/paritycheck';
import { behaviourQueries } from './behaviour/defaults';
import { type BehaviourObservation, evaluateBehaviour } from './behaviour/evaluate';
import type { MetricsSource } from './behaviour/prometheus';
import { nextConditions } from './conditions';
import { compareObjects, selectObjects } from './config/compare';
import type { ConfigContext } from './config/context';
import { declaredOverridesFrom, NO_OVERRIDES, type DeclaredOverrides } from './config/declared';
import type { NamespaceMapping } from './config/namespaces';
import { newCheckKey } from './config/secrets';
import { buildSnapshot, objectsOf, type NamespaceSnapshot } from './config/snapshot';
import { compareData } from './database/data-compare';
import type { CatalogueSource } from './database/model';
import { compareSchemas, requireSchemas, tableMatches } from './database/schema-compare';
import { compareTypes } from './database/type-compare';
import { eventsFor, type ParityEvent } from './events';
import type { CategoryOutcome, Difference, Inconclusive } from './finding';
import { applyIgnoreRules, blanketIgnoreRule } from './ignore';
import { conditionsFor, findingMetricSamples } from './outcome';
import { toFindings, topFindings } from './select';
import { behaviourNeedsServices } from './behaviour/defaults';
import type { ObjectSource } from './sources/objects';
import { summarise } from './verdict';
import { errorMessage } from '../runtime/error-message';

export interface DatabasePair {
  staging: CatalogueSource;
  production: CatalogueSource;
}

/**
 * What a check reads, built by the caller (the reconciler from Secrets and
 * kubeconfigs, the CLI from flags). A category whose source is missing
 * reports that as its error; `unavailable` carries the reason when the
 * caller could not build a source (a missing Secret, a bad kubeconfig).
 */
export interface ParitySources {
  objects?: { staging: ObjectSource; production: ObjectSource };
  /** Databases of the schema category, and of the data category unless it has its own. */
  databases?: DatabasePair;
  dataDatabases?: DatabasePair;
  metrics?: MetricsSource;
  /** The StagingEnvironment named by spec.staging.environmentRef, as read from the API. */
  environment?: { metadata?: { name?: string; namespace?: string }; spec?: unknown };
  unavailable?: Partial<Record<Category, string>>;
  /** Key for hashing Secret values; a fresh random one per run when absent. */
  secretKey?: Buffer;
}

export interface ParityCheckResult {
  status: ParityCheckStatus;
  /** Every finding, not only the 20 the status keeps: for reports and the metric. */
  findings: Finding[];
  inconclusive: Inconclusive[];
  /** Events to emit: only transitions since the previous status. */
  events: ParityEvent[];
  /** Samples for the gauge understudy_parity_findings{category,severity}. */
  metrics: ReturnType<typeof findingMetricSamples>;
  /** Requests sent, for the benchmark and debugging. */
  requests: { kubernetes: number; database: number; prometheus: number };
}

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

/** Env references and HPA ownership need these even when they are not compared themselves. */
function kindsToList(compared: readonly string[]): string[] {
  const kinds = new Set(compared);
  if (compared.some((k) => WORKLOAD_KINDS.includes(k)))
    ['ConfigMap', 'Secret', 'HorizontalPodAutoscaler', 'Pod'].forEach((k) => kinds.add(k));
  return [...kinds];
}

function failure(category: Category, err: unknown): CategoryOutcome {
  return { category, differences: [], inconclusive: [], compared: 0, error: errorMessage(err) };
}

async function guarded(
  category: Category,
  sources: ParitySources,
  run: () => Promise<Omit<CategoryOutcome, 'category' | 'compared'> & { compared: number }>,
): Promise<CategoryOutcome> {
  const unavailable = sources.unavailable?.[category];
  if (unavailable !== undefined) return failure(category, new Error(unavailable));
  try {
    return { category, ...(await run()) };
  } catch (err) {
    return failure(category, err);
  }
}

function missingSource(what: string): Error {
  return new Error(`no ${what} was provided to the check`);
}

/** Production's database compared with itself always agrees: a staging URL that points at it is a mistake, not parity. */
function refuseSameDatabase(pair: DatabasePair, field: string): void {
  const same =
    pair.staging === pair.production ||
    (pair.staging.target !== undefined && pair.staging.target === pair.production.target);
  if (same)
    throw new Error(
      `${field}: the staging and production databases are the same database (${pair.production.target ?? pair.production.description}); a check compares a copy with production, not production with itself`,
    );
}

interface Snapshots {
  staging: NamespaceSnapshot;
  production: NamespaceSnapshot;
  /** What could not be compared because a kind was not listable, as inconclusive items. */
  unreadable: Inconclusive[];
}

/** Pods only refine image comparison (digests); without them images compare by reference, which is still a decision. */
const OPTIONAL_KINDS = new Set(['Pod']);

async function readSnapshots(spec: ResolvedParityCheck, sources: ParitySources, key: Buffer): Promise<Snapshots> {
  if (!sources.objects) throw missingSource('Kubernetes object source');
  const compared: readonly string[] = spec.categories.configuration?.kinds ?? [
    'Deployment',
    'StatefulSet',
    'DaemonSet',
    'Service',
    'ConfigMap',
    'Secret',
    'HorizontalPodAutoscaler',
  ];
  const kinds = kindsToList(compared);
  const [staging, production] = await Promise.all([
    sources.objects.staging.list(spec.staging.namespace, kinds),
    sources.objects.production.list(spec.production.namespace, kinds),
  ]);
  const unreadable: Inconclusive[] = [];
  for (const [side, listed, namespace] of [
    ['staging', staging, spec.staging.namespace],
    ['production', production, spec.production.namespace],
  ] as const) {
    for (const kind of listed.forbidden.filter((k) => !OPTIONAL_KINDS.has(k))) {
      const remedy = compared.includes(kind)
        ? 'grant list on it, or leave the kind out of spec.categories.configuration.kinds'
        : `the workloads compared need it (env references, HPA bounds); grant list on ${kind}, or leave the workload kinds out of spec.categories.configuration.kinds`;
      unreadable.push({
        category: 'configuration',
        resource: `${kind}/*`,
        path: '',
        reason: `not allowed to list ${kind} in ${side} namespace ${namespace}: ${remedy}`,
      });
    }
  }
  return {
    staging: buildSnapshot(spec.staging.namespace, staging.objects, key),
    production: buildSnapshot(spec.production.namespace, production.objects, key),
    unreadable,
  };
}

function servicesIn(snapshots: Snapshots | undefined, declared: DeclaredOverrides): string[] {
  if (!snapshots) return [...declared.services.keys()].sort();
  const names = (s: NamespaceSnapshot) =>
    new Set(['Deployment', 'StatefulSet'].flatMap((k) => [...objectsOf(s, k).keys()]));
  const staging = names(snapshots.staging);
  return [...names(snapshots.production)].filter((n) => staging.has(n)).sort();
}

/**
 * Runs one parity check: every category the spec asks for, each isolated
 * from the others' failures, then ignore rules, scoring and status. Pure
 * apart from the sources it is given; the reconciler writes the status,
 * emits the events and sets the metric.
 */
export async function runParityCheck(
  spec: ResolvedParityCheck,
  sources: ParitySources,
  previousStatus: ParityCheckStatus | undefined,
  now: Date,
  options: { generation?: number; observeBehaviour?: (observation: BehaviourObservation) => void } = {},
): Promise<ParityCheckResult> {
  const refusal = refusalOf(spec);
  if (refusal !== undefined) return refused(refusal, previousStatus, now, options.generation);
  const key = sources.secretKey ?? newCheckKey();
  const mapping: NamespaceMapping = { staging: spec.staging.namespace, production: spec.production.namespace };
  const declared = sources.environment ? declaredOverridesFrom(sources.environment) : NO_OVERRIDES;
  const tolerance = (value: string | undefined, fallback: string) => Number(value ?? fallback);
  const categories = spec.categories;
  const runConfiguration = categories.configuration?.enabled !== false;
  const needsObjects = runConfiguration || behaviourNeedsServices(spec);

  let snapshots: Snapshots | undefined;
  const configurationAndBehaviour = async (): Promise<CategoryOutcome[]> => {
    const outcomes: CategoryOutcome[] = [];
    if (needsObjects) {
      const configuration = await guarded('configuration', sources, async () => {
        snapshots = await readSnapshots(spec, sources, key);
        const context: ConfigContext = {
          mapping,
          declared,
          tolerances: { resources: Number(spec.tolerances.resources), replicas: Number(spec.tolerances.replicas) },
          staging: snapshots.staging,
          production: snapshots.production,
        };
        const selected = runConfiguration ? selectObjects(context, { ...(categories.configuration ?? {}) }) : [];
        return {
          differences: compareObjects(selected, context),
          inconclusive: snapshots.unreadable,
          compared: selected.filter((o) => o.production !== undefined).length,
        };
      });
      if (runConfiguration) outcomes.push(configuration);
    }
    const behaviour = categories.behaviour;
    if (behaviour && behaviour.enabled !== false) {
      outcomes.push(
        await guarded('behaviour', sources, async () => {
          if (!sources.metrics) throw missingSource('Prometheus source');
          return evaluateBehaviour(sources.metrics, {
            queries: behaviourQueries(behaviour),
            defaultTolerance: Number(spec.tolerances.behaviour),
            noiseFloor: behaviour.noiseFloor,
            mapping,
            services: servicesIn(snapshots, declared),
            now,
            ...(options.observeBehaviour ? { observe: options.observeBehaviour } : {}),
          });
        }),
      );
    }
    return outcomes;
  };

  const schema = categories.schema;
  const schemaOutcome = async (): Promise<CategoryOutcome[]> => {
    if (!schema) return [];
    return [
      await guarded('schema', sources, async () => {
        if (!sources.databases) throw missingSource('database pair');
        const { staging, production } = sources.databases;
        refuseSameDatabase(sources.databases, 'spec.categories.schema');
        const [s, p, st, pt] = await Promise.all([
          staging.schema(schema.schemas),
          production.schema(schema.schemas),
          staging.types(schema.schemas),
          production.types(schema.schemas),
        ]);
        requireSchemas(schema.schemas, p, pt);
        const tables = [...p.keys()].filter((t) => !tableMatches(t, schema.excludeTables)).length;
        return {
          differences: [...compareSchemas(s, p, schema.excludeTables), ...compareTypes(st, pt)],
          inconclusive: [],
          // Where production has tables, the tables compared decide: every one left out is not rescued by the
          // sequences their identity columns own. A schema of types alone is compared by its types.
          compared: p.size > 0 ? tables : pt.enums.size + pt.domains.size + pt.sequences.size,
        };
      }),
    ];
  };

  const data = categories.data;
  const dataOutcome = async (): Promise<CategoryOutcome[]> => {
    if (!data) return [];
    return [
      await guarded('data', sources, async () => {
        const pair = sources.dataDatabases ?? sources.databases;
        if (!pair) throw missingSource('database pair');
        refuseSameDatabase(pair, sources.dataDatabases ? 'spec.categories.data' : 'spec.categories.schema');
        const schemas = schema?.schemas ?? ['public'];
        // Only compared tables are counted: count(*) is the one query here that scans.
        const count = (table: string) => !data.tables || tableMatches(table, data.tables);
        const [s, p] = await Promise.all([
          pair.staging.statistics(schemas, { count }),
          pair.production.statistics(schemas, { count }),
        ]);
        const options = {
          expectedRowRatio: Number(data.expectedRowRatio),
          tolerances: {
            rowCount: tolerance(data.tolerances?.rowCount, spec.tolerances.rowCount),
            nullFraction: tolerance(data.tolerances?.nullFraction, spec.tolerances.nullFraction),
            distinct: tolerance(data.tolerances?.distinct, spec.tolerances.distinct),
          },
          ...(data.tables ? { tables: data.tables } : {}),
        };
        return { ...compareData(s, p, options), compared: [...p.keys()].filter(count).length };
      }),
    ];
  };

  // Schema and data share one connection per side unless data has its own: one after the other, so the
  // statement timeout the row counts set never applies to a schema query queued between them.
  const databaseOutcomes = async () =>
    sources.dataDatabases
      ? (await Promise.all([schemaOutcome(), dataOutcome()])).flat()
      : [...(await schemaOutcome()), ...(await dataOutcome())];
  const outcomes = (await Promise.all([configurationAndBehaviour(), databaseOutcomes()])).flat();
  return assemble(spec, outcomes, sources, previousStatus, now, options.generation);
}

/**
 * Why a spec cannot give a meaningful verdict whatever it reads: it compares
 * nothing, or ignores everything. `prometheus`: production has one, so a
 * check without a behaviour category gets the default queries.
 */
export function refusalOf(
  spec: Pick<ResolvedParityCheck, 'categories' | 'ignore'>,
  options: { prometheus?: boolean } = {},
): string | undefined {
  const { configuration, schema, data, behaviour } = spec.categories;
  const runs =
    configuration?.enabled !== false ||
    schema !== undefined ||
    data !== undefined ||
    (behaviour ? behaviour.enabled !== false : options.prometheus === true);
  if (!runs)
    return 'spec.categories: every category is turned off or absent, so nothing would be compared; enable at least one of configuration, schema, data or behaviour';
  return blanketIgnoreRule(spec.ignore);
}

/** The result of a spec refused before anything was read: Stalled with InvalidSpec, no verdict, one event when that is news. */
function refused(
  message: string,
  previousStatus: ParityCheckStatus | undefined,
  now: Date,
  generation: number | undefined,
): ParityCheckResult {
  const before = previousStatus?.conditions?.find((c) => c.type === 'Stalled');
  const already = before?.status === 'True' && before.reason === 'InvalidSpec' && before.message === message;
  return {
    status: invalidSpecStatus(message, previousStatus, now, generation),
    findings: [],
    inconclusive: [],
    events: already ? [] : [{ type: 'Warning', reason: 'InvalidSpec', message }],
    metrics: findingMetricSamples([]),
    requests: { kubernetes: 0, database: 0, prometheus: 0 },
  };
}

/** What a category that ran but compared nothing of production says instead of "no drift". */
function nothingCompared(spec: ResolvedParityCheck, category: Category): Inconclusive {
  const reasons: Record<Category, () => string> = {
    configuration: () => {
      const filter: Partial<NonNullable<ResolvedParityCheck['categories']['configuration']>> =
        spec.categories.configuration ?? {};
      const fields = (['kinds', 'selector', 'include', 'exclude'] as const).filter((f) => filter[f] !== undefined);
      const by = fields.length > 0 ? ` selected by spec.categories.configuration (${fields.join(', ')})` : '';
      return `production namespace ${spec.production.namespace} has no object${by}: nothing was compared, which is not parity`;
    },
    schema: () =>
      'every production table is left out by spec.categories.schema.excludeTables: nothing was compared, which is not parity',
    data: () => 'no production table of the compared schemas (and spec.categories.data.tables) to compare with',
    behaviour: () => 'no behaviour query ran: nothing was compared, which is not parity',
  };
  return { category, resource: '*', path: '', reason: reasons[category]() };
}

function assemble(
  spec: ResolvedParityCheck,
  outcomes: CategoryOutcome[],
  sources: ParitySources,
  previousStatus: ParityCheckStatus | undefined,
  now: Date,
  generation: number | undefined,
): ParityCheckResult {
  const all: Difference[] = outcomes.flatMap((o) => o.differences);
  const undecided: Inconclusive[] = outcomes.flatMap((o) => o.inconclusive);
  const kept = applyIgnoreRules(spec.ignore, all);
  for (const outcome of outcomes) {
    const undecidedHere = undecided.some((i) => i.category === outcome.category);
    if (outcome.error === undefined && outcome.compared === 0 && !undecidedHere)
      undecided.push(nothingCompared(spec, outcome.category));
  }
  const filteredOutcomes = outcomes.map((o) => ({
    ...o,
    inconclusive: undecided.filter((i) => i.category === o.category),
  }));
  const findings = toFindings(kept.differences, previousStatus?.findings, now);
  const summary = summarise(findings, filteredOutcomes, spec.failOn, kept.ignored);
  const conditions = nextConditions(
    previousStatus?.conditions,
    conditionsFor(filteredOutcomes, findings, summary, spec.failOn),
    generation,
    now,
  );
  const status: ParityCheckStatus = {
    conditions,
    lastCheckedAt: now.toISOString(),
    summary,
    findings: topFindings(findings),
    unmatchedIgnoreRules: kept.unmatchedRules,
  };
  if (generation !== undefined) status.observedGeneration = generation;
  const databases = [sources.databases, sources.dataDatabases].filter((d): d is DatabasePair => d !== undefined);
  return {
    status,
    findings,
    inconclusive: undecided,
    events: eventsFor(previousStatus?.conditions, conditions, summary),
    metrics: findingMetricSamples(findings),
    requests: {
      kubernetes: sources.objects
        ? sources.objects.staging.requests() +
          (sources.objects.production === sources.objects.staging ? 0 : sources.objects.production.requests())
        : 0,
      database: [...new Set(databases.flatMap((d) => [d.staging, d.production]))].reduce((n, d) => n + d.queries, 0),
      prometheus: sources.metrics?.requests ?? 0,
    },
  };
}

/** Status for a spec the schema refused: Stalled with InvalidSpec, the message naming the field. */
export function invalidSpecStatus(
  message: string,
  previousStatus: ParityCheckStatus | undefined,
  now: Date,
  generation?: number,
): ParityCheckStatus {
  const conditions = nextConditions(
    previousStatus?.conditions,
    [
      { type: 'Ready', status: 'False', reason: 'InvalidSpec', message },
      { type: 'Stalled', status: 'True', reason: 'InvalidSpec', message },
      {
        type: 'InParity',
        status: 'Unknown',
        reason: 'InvalidSpec',
        message: 'the check cannot run until the spec is fixed',
      },
    ],
    generation,
    now,
  );
  // Nothing of an earlier run is kept: its verdict (the Verdict column) described a spec that is gone.
  return generation === undefined ? { conditions } : { conditions, observedGeneration: generation };
}
