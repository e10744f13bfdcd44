import type { KubeObject } from '../config/normalize';

// A small "shop" of microservices as plain manifests, used by unit tests,
// integration tests (applied to a real API server) and the benchmark.

export interface ServiceOptions {
  namespace: string;
  replicas?: number;
  image?: string;
  env?: Record<string, string>;
  config?: Record<string, string>;
  secret?: Record<string, string>;
  cpu?: string;
  memory?: string;
  /** Write every field the API server would default, explicitly. */
  explicitDefaults?: boolean;
  hpa?: { min: number; max: number };
}

export function shopService(name: string, options: ServiceOptions): KubeObject[] {
  const { namespace } = options;
  const labels = { app: name, 'app.kubernetes.io/part-of': 'shop' };
  const env = Object.entries(
    options.env ?? { LOG_LEVEL: 'info', CATALOG_URL: `http://catalog.${namespace}.svc:8080` },
  ).map(([n, value]) => ({ name: n, value }));
  const container: Record<string, unknown> = {
    name: 'app',
    image: options.image ?? `registry.example.com/shop/${name}:1.0.0`,
    ports: [{ name: 'http', containerPort: 8080 }],
    env: [
      ...env,
      { name: 'FEATURE_FLAGS', valueFrom: { configMapKeyRef: { name: `${name}-config`, key: 'features' } } },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: `${name}-db`, key: 'password' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ],
    resources: {
      requests: { cpu: options.cpu ?? '250m', memory: options.memory ?? '256Mi' },
      limits: { memory: options.memory ?? '256Mi' },
    },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 }, initialDelaySeconds: 2 },
  };
  const podSpec: Record<string, unknown> = { containers: [container] };
  const deploymentSpec: Record<string, unknown> = {
    replicas: options.replicas ?? 2,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels }, spec: podSpec },
  };
  const servicePort: Record<string, unknown> = { name: 'http', port: 8080 };
  const serviceSpec: Record<string, unknown> = { selector: { app: name }, ports: [servicePort] };
  if (options.explicitDefaults) {
    Object.assign(container, {
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    });
    (container.ports as Array<Record<string, unknown>>)[0]!.protocol = 'TCP';
    Object.assign(container.readinessProbe as object, {
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    (container.readinessProbe as { httpGet: Record<string, unknown> }).httpGet.scheme = 'HTTP';
    Object.assign(podSpec, {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      securityContext: {},
    });
    Object.assign(deploymentSpec, {
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    });
    Object.assign(servicePort, { protocol: 'TCP', targetPort: 8080 });
    Object.assign(serviceSpec, { type: 'ClusterIP', sessionAffinity: 'None' });
  }
  const objects: KubeObject[] = [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace, labels }, spec: deploymentSpec },
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels }, spec: serviceSpec },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${name}-config`, namespace, labels },
      data: options.config ?? { features: 'search,recommendations', 'cache.ttl': '300' },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${name}-db`, namespace, labels },
      type: 'Opaque',
      data: Object.fromEntries(
        Object.entries(options.secret ?? { password: `${name}-s3cret` }).map(([k, v]) => [
          k,
          Buffer.from(v).toString('base64'),
        ]),
      ),
    },
  ];
  if (options.hpa) {
    objects.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name, namespace, labels },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas: options.hpa.min,
        maxReplicas: options.hpa.max,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        ],
      },
    });
  }
  return objects;
}

/** What the API server adds to a Deployment it stores, for tests that do not run one. */
export function asStoredByServer(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  copy.metadata = {
    ...copy.metadata,
    uid: 'u-' + copy.metadata.name,
    resourceVersion: '1',
    generation: 1,
    creationTimestamp: '2026-01-01T00:00:00Z',
    managedFields: [],
  };
  if (copy.kind === 'Deployment') {
    const spec = copy.spec as Record<string, any>; // any: filling defaults into a free-form fixture
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
    spec.template.metadata.creationTimestamp = null;
    const pod = spec.template.spec;
    pod.restartPolicy ??= 'Always';
    pod.terminationGracePeriodSeconds ??= 30;
    pod.dnsPolicy ??= 'ClusterFirst';
    pod.schedulerName ??= 'default-scheduler';
    pod.securityContext ??= {};
    for (const c of pod.containers) {
      c.imagePullPolicy ??= 'IfNotPresent';
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      for (const port of c.ports ?? []) port.protocol ??= 'TCP';
      for (const e of c.env ?? []) if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1';
      if (c.readinessProbe)
        Object.assign(c.readinessProbe, {
          timeoutSeconds: 1,
          periodSeconds: 10,
          successThreshold: 1,
          failureThreshold: 3,
          ...c.readinessProbe,
        });
      if (c.readinessProbe?.httpGet) c.readinessProbe.httpGet.scheme ??= 'HTTP';
    }
    copy.status = { replicas: spec.replicas, readyReplicas: spec.replicas };
  }
  if (copy.kind === 'Service') {
    const spec = copy.spec as Record<string, any>; // any: as above
    spec.clusterIP = '10.96.0.' + (copy.metadata.name.length + 10);
    spec.clusterIPs = [spec.clusterIP];
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    spec.ipFamilies = ['IPv4'];
    spec.ipFamilyPolicy = 'SingleStack';
    spec.internalTrafficPolicy = 'Cluster';
    for (const p of spec.ports) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
  }
  return copy;
}
