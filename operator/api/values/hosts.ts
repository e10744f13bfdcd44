// Ingress hosts of an environment come from a template so that previews never
// claim production's hosts and each gets its own name under a wildcard
// domain (one wildcard certificate, no per-preview ACME orders).

export const HOST_TEMPLATE_VARIABLES = ['service', 'environment', 'namespace'] as const;
export type HostTemplateVariable = (typeof HOST_TEMPLATE_VARIABLES)[number];
export type HostTemplateValues = Record<HostTemplateVariable, string>;

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const EXAMPLE_VALUES: HostTemplateValues = { service: 'gateway', environment: 'pr-1234', namespace: 'shop-pr-1234' };

export function renderHost(template: string, values: HostTemplateValues): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => (isVariable(name) ? values[name] : whole));
}

function isVariable(name: string): name is HostTemplateVariable {
  return (HOST_TEMPLATE_VARIABLES as readonly string[]).includes(name);
}

/** Why a rendered host is not a valid Ingress host, or undefined when it is. */
export function hostProblem(host: string): string | undefined {
  if (host.length > 253) return `host "${host}" is longer than 253 characters`;
  const labels = host.split('.');
  if (labels.length < 2) return `host "${host}" must have at least two labels, such as pr-1.example.com`;
  for (const label of labels) {
    if (label.length > 63) return `label "${label}" of host "${host}" is longer than 63 characters`;
    if (!DNS_LABEL.test(label)) return `host "${host}" is not a lowercase DNS name (label "${label}")`;
  }
  return undefined;
}

/** Why a template cannot work, judged on example values; undefined when it can. */
export function hostTemplateProblem(template: string): string | undefined {
  for (const [, name = ''] of template.matchAll(PLACEHOLDER)) {
    if (!isVariable(name))
      return `unknown placeholder {{${name}}}; use ${HOST_TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ')}`;
  }
  if (/\{\{|\}\}/.test(template.replace(PLACEHOLDER, ''))) return 'has an unbalanced {{ or }}';
  return hostProblem(renderHost(template, EXAMPLE_VALUES));
}
