// A baseline of N small microservices, for the StagingEnvironment benchmark
// and the tests that need a baseline lighter than the shop: each service is
// a Deployment and a Service, peers are addressed by DNS name in a shared
// ConfigMap and in env values, and (optionally) two Secrets hold values that
// must never reach a copy.

export interface SyntheticObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface SyntheticBaselineOptions {
  replicas?: number;
  /** Adds Secrets app-db and app-api, referenced by the first service. */
  secrets?: boolean;
  /** Label every object carries (app.kubernetes.io/part-of). */
  partOf?: string;
}

export const SYNTHETIC_SECRET_VALUES = {
  password: 'baseline-db-password-9f8e7d6c',
  token: 'baseline-api-token-1a2b3c4d5e',
} as const;

export function serviceName(i: number): string {
  return `svc-${String(i).padStart(2, '0')}`;
}

export function syntheticBaseline(
  namespace: string,
  services: number,
  options: SyntheticBaselineOptions = {},
): SyntheticObject[] {
  const partOf = options.partOf ?? 'bench';
  const labels = (name?: string): Record<string, string> => ({
    'app.kubernetes.io/part-of': partOf,
    ...(name ? { 'app.kubernetes.io/name': name } : {}),
  });
  const url = (i: number): string => `http://${serviceName(i % services)}.${namespace}.svc.cluster.local:8080`;
  const objects: SyntheticObject[] = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'endpoints', namespace, labels: labels() },
      data: {
        ...Object.fromEntries(
          Array.from({ length: services }, (_, i) => [`${serviceName(i).toUpperCase().replace('-', '_')}_URL`, url(i)]),
        ),
        APP_NAMESPACE: namespace,
      },
    },
  ];
  if (options.secrets) {
    objects.push(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'app-db', namespace, labels: labels() },
        type: 'Opaque',
        stringData: {
          PASSWORD: SYNTHETIC_SECRET_VALUES.password,
          URL: `postgres://app:${SYNTHETIC_SECRET_VALUES.password}@db.${namespace}.svc:5432/app`,
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'app-api', namespace, labels: labels() },
        type: 'Opaque',
        stringData: { TOKEN: SYNTHETIC_SECRET_VALUES.token },
      },
    );
  }
  for (let i = 0; i < services; i++) {
    const name = serviceName(i);
    const env: Array<Record<string, unknown>> = [{ name: 'PEER_URL', value: url(i + 1) }];
    if (options.secrets && i === 0) {
      env.push(
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'app-db', key: 'PASSWORD' } } },
        { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'app-api', key: 'TOKEN' } } },
      );
    }
    objects.push(
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace, labels: labels(name) },
        spec: {
          selector: { 'app.kubernetes.io/name': name },
          ports: [{ name: 'http', port: 8080, targetPort: 'http' }],
        },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace, labels: labels(name) },
        spec: {
          replicas: options.replicas ?? 1,
          selector: { matchLabels: { 'app.kubernetes.io/name': name } },
          template: {
            metadata: { labels: labels(name) },
            spec: {
              containers: [
                {
                  name: 'app',
                  image: `registry.example.com/${partOf}/${name}:1.0.0`,
                  ports: [{ name: 'http', containerPort: 8080 }],
                  env,
                  envFrom: [{ configMapRef: { name: 'endpoints' } }],
                  resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
                },
              ],
            },
          },
        },
      },
    );
  }
  return objects;
}

/** The same objects as one multi-document YAML stream, as `helm template` prints it (JSON is YAML). */
export function renderedManifests(objects: readonly SyntheticObject[]): string {
  return objects.map((o) => `---\n${JSON.stringify(o)}\n`).join('');
}
