import type { KubernetesObject } from '../../runtime/client-node';
import type { Request } from '../../runtime/reconciler';

/** What a check depends on, as its last reconcile resolved it. */
export interface CheckDependencies {
  baseline?: string;
  /** `namespace/name` of its StagingEnvironment. */
  environment?: string;
  /** Its own, staging and production namespaces: their creation, deletion and labels change what it may read. */
  namespaces: string[];
}

/**
 * Which checks depend on which Baseline, StagingEnvironment and Namespace,
 * learnt as checks are reconciled (every check is, when the operator starts),
 * so a change to one of them wakes exactly the checks that use it.
 */
export class CheckIndex {
  private readonly byCheck = new Map<string, CheckDependencies>();

  record(check: Request, dependencies: CheckDependencies): void {
    this.byCheck.set(`${check.namespace}/${check.name}`, dependencies);
  }

  forget(check: Request): void {
    this.byCheck.delete(`${check.namespace}/${check.name}`);
  }

  private matching(test: (d: CheckDependencies) => boolean): Request[] {
    const out: Request[] = [];
    for (const [key, dependencies] of this.byCheck) {
      if (!test(dependencies)) continue;
      const at = key.indexOf('/');
      out.push({ namespace: key.slice(0, at), name: key.slice(at + 1) });
    }
    return out;
  }

  checksOfBaseline(name: string): Request[] {
    return this.matching((d) => d.baseline === name);
  }

  checksOfEnvironment(environment: KubernetesObject): Request[] {
    const key = `${environment.metadata?.namespace ?? ''}/${environment.metadata?.name ?? ''}`;
    return this.matching((d) => d.environment === key);
  }

  checksOfNamespace(namespace: string): Request[] {
    return this.matching((d) => d.namespaces.includes(namespace));
  }
}
