import { hostTemplateProblem, renderHost, type HostTemplateValues } from '../api/values/hosts';
import type { IngressSpec } from './k8s-types';
import { isRecord, type KubeObject } from './objects';

// A preview host must stay inside the Baseline's domain and name the
// environment, so that no preview claims production's host or another
// preview's. The domain must be the literal end of the template: a
// placeholder in or next to the domain (`{{environment}}preview.example.com`,
// `{{service}}.example.com.{{namespace}}`) would let a name choose the suffix.
// Rendering with hostile values confirms what the text check promises.

/** Placeholders whose value differs between environments. */
const PER_ENVIRONMENT = /\{\{\s*(environment|namespace)\s*\}\}/;

const EXAMPLE: HostTemplateValues = { service: 'gateway', environment: 'pr-1234', namespace: 'preview-team-a-pr-1234' };
/** Values a hostile name could carry, were names ever less strictly validated than they are. */
const HOSTILE: readonly HostTemplateValues[] = [
  { service: 'x.evil.io', environment: 'evil.io', namespace: 'evil.io' },
  { service: 'a', environment: '{{namespace}}', namespace: '{{service}}' },
  { service: '.', environment: '.', namespace: '.' },
];

/** Why a Baseline with ingress domain `domain` refuses `template`; undefined when it allows it. */
export function hostTemplateAllowed(template: string, domain: string): string | undefined {
  const suffix = `.${domain.toLowerCase().replace(/\.$/, '')}`;
  if (suffix === '.') return 'the Baseline has no ingress domain';
  const problem = hostTemplateProblem(template);
  if (problem) return problem;
  if (!template.endsWith(suffix))
    return `must end in "${suffix}" (the Baseline's ingress domain), after a "." and with no placeholder in the domain`;
  const own = template.slice(0, -suffix.length);
  if (!PER_ENVIRONMENT.test(own))
    return `must contain {{environment}} or {{namespace}} before "${suffix}", so that every environment has its own hosts`;
  for (const values of [EXAMPLE, ...HOSTILE]) {
    const host = renderHost(template, values);
    if (!host.endsWith(suffix) || host.length === suffix.length)
      return `renders "${host}", which is not under "${suffix}"`;
  }
  return undefined;
}

/**
 * Every host named by an Ingress outside `exceptNamespace` (rules and TLS), lowercased,
 * to the `namespace/name` of the Ingress that names it (the alphabetically first when several do, so the answer does not depend on list order).
 * Wildcard hosts (`*.example.com`) are listed as written; a lookup is exact.
 */
export function claimedHosts(ingresses: readonly KubeObject[], exceptNamespace: string): Map<string, string> {
  const claims = new Map<string, string>();
  for (const ingress of ingresses) {
    if (ingress.kind !== 'Ingress') continue;
    const namespace = ingress.metadata.namespace ?? '';
    if (namespace === exceptNamespace) continue;
    const owner = `${namespace}/${ingress.metadata.name}`;
    for (const host of hostsOf(ingress)) {
      const existing = claims.get(host);
      if (existing === undefined || owner < existing) claims.set(host, owner);
    }
  }
  return claims;
}

function hostsOf(ingress: KubeObject): string[] {
  if (!isRecord(ingress.spec)) return [];
  const spec = ingress.spec as IngressSpec;
  const hosts = [
    ...(Array.isArray(spec.rules) ? spec.rules.map((rule) => (isRecord(rule) ? rule.host : undefined)) : []),
    ...(Array.isArray(spec.tls)
      ? spec.tls.flatMap((tls) => (isRecord(tls) && Array.isArray(tls.hosts) ? tls.hosts : []))
      : []),
  ];
  return hosts
    .filter((host): host is string => typeof host === 'string' && host !== '')
    .map((host) => host.toLowerCase());
}
