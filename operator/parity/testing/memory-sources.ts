import type { MetricsSource, Series } from '../behaviour/prometheus';
import type { KubeObject } from '../config/normalize';
import type { CatalogueSource, DatabaseSchema, DatabaseStatistics, SchemaTypes } from '../database/model';
import type { ListedObjects, ObjectSource } from '../sources/objects';

// In-memory implementations of the check's own source interfaces: the
// Kubernetes API and the databases are exercised by the integration tests.

export class MemoryObjects implements ObjectSource {
  description = 'memory';
  calls = 0;
  constructor(private readonly objects: KubeObject[]) {}
  async list(namespace: string, kinds: string[]): Promise<ListedObjects> {
    this.calls += kinds.length;
    return {
      objects: this.objects.filter((o) => o.metadata.namespace === namespace && kinds.includes(o.kind)),
      forbidden: [],
    };
  }
  requests(): number {
    return this.calls;
  }
}

export class MemoryMetrics implements MetricsSource {
  description = 'memory prometheus';
  requests = 0;
  constructor(private readonly answer: (query: string) => Series[] | Error) {}
  async queryRange(query: string): Promise<Series[]> {
    this.requests++;
    const result = this.answer(query);
    if (result instanceof Error) throw result;
    return result;
  }
}

export class MemoryCatalogue implements CatalogueSource {
  queries = 0;
  constructor(
    readonly description: string,
    private readonly tables: DatabaseSchema,
    private readonly stats: DatabaseStatistics,
    readonly target?: string,
    private readonly typesOf: SchemaTypes = { enums: new Map(), domains: new Map(), sequences: new Map() },
  ) {}
  async schema(): Promise<DatabaseSchema> {
    this.queries++;
    return this.tables;
  }
  async types(): Promise<SchemaTypes> {
    this.queries++;
    return this.typesOf;
  }
  async statistics(): Promise<DatabaseStatistics> {
    this.queries++;
    return this.stats;
  }
  async close(): Promise<void> {}
}
