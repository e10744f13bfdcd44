import type { CopySpec } from '../../../operator/environment/copy-spec';
import { copySpecOf } from '../../../operator/environment/testing/copy-spec';
import { LABELS } from '../../../operator/api/common';
import { referencesNamespace } from '../../../operator/environment/namespace-references';
import { isRecord, type KubeObject } from '../../../operator/environment/objects';
import { PlanError, planEnvironment, type EnvironmentPlan } from '../../../operator/environment/plan';
import { objectsToPrune } from '../../../operator/environment/prune';
import { decodeSecretData } from '../../../operator/environment/secrets';
import { podSpecOf } from '../../../operator/environment/workloads';
import { counterRandom, loadShop } from './shop-fixture';

// The shop example planned into shop-pr-1234, checked against every rule of
// the copy transformation.

const environment = { name: 'pr-1234', namespace: 'previews', uid: 'env-uid' };
const baseline = loadShop();
const wildcard: KubeObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'preview-wildcard', namespace: 'previews' },
  type: 'kubernetes.io/tls',
  data: { 'tls.crt': 'Q0VSVA==', 'tls.key': 'S0VZ', 'ca.crt': 'Q0E=' },
};

const SHOP_BASELINE = {
  source: { namespace: 'shop', selector: { matchLabels: { 'app.kubernetes.io/part-of': 'shop' } } },
  ingress: { domain: 'preview.example.com', tlsSecretRef: { namespace: 'previews', name: 'preview-wildcard' } },
  isolation: { networkPolicy: true, allowIngressFromNamespaces: ['ingress-nginx'] },
};

function specOf(overrides: Record<string, unknown> = {}, baseline: Record<string, unknown> = {}): CopySpec {
  return copySpecOf(
    {
      scale: { replicas: '0.25', resources: '0.5' },
      ingress: { hostTemplate: '{{service}}.{{environment}}.preview.example.com' },
      isolation: { resourceQuota: { cpu: '8', memory: '16Gi' } },
      services: [
        {
          name: 'checkout',
          image: 'registry.example.com/shop/checkout:pr-1234',
          env: [{ name: 'FEATURE_X', value: 'on' }],
        },
      ],
      ...overrides,
    },
    { baseline: { ...SHOP_BASELINE, ...baseline }, environment, targetNamespace: 'shop-pr-1234' },
  );
}

function plan(
  overrides: Record<string, unknown> = {},
  objects: readonly KubeObject[] = baseline,
  baselineOverrides: Record<string, unknown> = {},
): EnvironmentPlan {
  return planEnvironment({
    environment,
    spec: specOf(overrides, baselineOverrides),
    baseline: objects,
    tlsSecret: wildcard,
    random: counterRandom(),
  });
}

function find(result: EnvironmentPlan, kind: string, name: string): KubeObject {
  const found = result.objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in the plan`);
  return found;
}

function spec(object: KubeObject): any {
  // any: reading deep into planned manifests
  return object.spec;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (isRecord(value)) return Object.values(value).flatMap(strings);
  return [];
}

function containerEnv(object: KubeObject, container = 0): Record<string, unknown> {
  const env = podSpecOf(object)?.containers?.[container]?.env ?? [];
  return Object.fromEntries(env.map((v) => [v.name, v.value ?? v.valueFrom]));
}

const productionSecretValues = baseline
  .filter((o) => o.kind === 'Secret')
  .flatMap((s) => [...decodeSecretData(s).values()]);

describe('planning the shop into shop-pr-1234', () => {
  const result = plan();

  it('copies the eight services, PostgreSQL and Redis, and summarises them', () => {
    expect(result.targetNamespace).toBe('shop-pr-1234');
    expect(result.services.map((s) => `${s.kind}/${s.name}`)).toEqual([
      'Deployment/cart',
      'Deployment/catalog',
      'Deployment/checkout',
      'Deployment/gateway',
      'Deployment/notifications',
      'Deployment/orders',
      'Deployment/payments',
      'StatefulSet/postgres',
      'Deployment/redis',
      'Deployment/users',
    ]);
    expect(result.services.find((s) => s.name === 'checkout')).toEqual({
      name: 'checkout',
      kind: 'Deployment',
      mode: 'copy',
      image: 'registry.example.com/shop/checkout:pr-1234',
    });
    expect(result.services.find((s) => s.name === 'cart')?.replicas).toBe(1);
    expect(result.objects.some((o) => o.kind === 'Namespace')).toBe(false);
    expect(result.warnings).toEqual([
      expect.stringMatching(/^Secrets not in the environment \(payments-api, shop-db\)/),
    ]);
  });

  it('labels, places and annotates every object, and the namespace', () => {
    expect(result.namespace.metadata.labels).toEqual({
      [LABELS.managedBy]: 'understudy',
      [LABELS.environment]: 'pr-1234',
      [LABELS.environmentNamespace]: 'previews',
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/warn': 'baseline',
      'pod-security.kubernetes.io/audit': 'baseline',
    });
    for (const object of result.objects) {
      expect(object.metadata.namespace).toBe('shop-pr-1234');
      expect(object.metadata.labels).toMatchObject({
        [LABELS.managedBy]: 'understudy',
        [LABELS.environment]: 'pr-1234',
        [LABELS.environmentNamespace]: 'previews',
      });
    }
    expect(find(result, 'Deployment', 'cart').metadata.annotations).toEqual({
      'understudy.dev/source': 'apps/v1/Deployment/shop/cart',
    });
  });

  it('carries no server-set field', () => {
    for (const object of result.objects) {
      expect(object.status).toBeUndefined();
      for (const field of [
        'uid',
        'resourceVersion',
        'generation',
        'managedFields',
        'creationTimestamp',
        'ownerReferences',
      ])
        expect(object.metadata[field]).toBeUndefined();
      if (object.kind === 'Service')
        expect(spec(object).clusterIP === undefined || spec(object).clusterIP === 'None').toBe(true);
    }
    expect(spec(find(result, 'Service', 'postgres-headless')).clusterIP).toBe('None');
  });

  it('rewrites every reference to the baseline namespace, and nothing that only looks like one', () => {
    const serviceNames = new Set(baseline.filter((o) => o.kind === 'Service').map((o) => o.metadata.name));
    const leftovers = result.objects.flatMap((o) =>
      strings(o)
        .filter((s) => referencesNamespace(s, { from: 'shop', serviceNames }))
        .map((s) => `${o.kind}/${o.metadata.name}: ${s}`),
    );
    expect(leftovers).toEqual([]);
    expect(find(result, 'ConfigMap', 'shop-endpoints').data).toMatchObject({
      CATALOG_URL: 'http://catalog.shop-pr-1234.svc.cluster.local:8080',
      PAYMENTS_URL: 'http://payments.shop-pr-1234.svc:8080',
      USERS_URL: 'http://users.shop-pr-1234:8080',
      REDIS_ADDR: 'redis.shop-pr-1234:6379',
      POSTGRES_HOST: 'postgres.shop-pr-1234.svc',
      POSTGRES_PRIMARY: 'postgres-0.postgres-headless.shop-pr-1234.svc.cluster.local',
      SHOP_NAMESPACE: 'shop-pr-1234',
    });
    expect((find(result, 'ConfigMap', 'gateway-routes').data as Record<string, string>)['routes.yaml']).toContain(
      'shopping-cart frontend team',
    );
    expect(containerEnv(find(result, 'Deployment', 'cart'))).toMatchObject({
      CART_MODE: 'shopping-cart',
      REDIS_ADDR: 'redis.shop-pr-1234:6379',
    });
    expect(containerEnv(find(result, 'Deployment', 'notifications'))).toMatchObject({
      LEADER_ELECTION_NAMESPACE: 'shop-pr-1234',
      SMTP_HOST: 'smtp.mail.example.net',
    });
    expect(containerEnv(find(result, 'StatefulSet', 'postgres'))).toMatchObject({ POSTGRES_DB: 'shop' });
    expect(containerEnv(find(result, 'Deployment', 'orders'))).toMatchObject({ EVENTS_TOPIC: 'shop.orders.v1' });
    expect(podSpecOf(find(result, 'Deployment', 'gateway'))?.containers?.[0]?.args).toEqual([
      '--routes=/etc/gateway/routes.yaml',
      '--namespace=shop-pr-1234',
    ]);
    expect(podSpecOf(find(result, 'Deployment', 'orders'))?.initContainers?.[0]?.args).toEqual([
      'migrate',
      '--database-host=postgres.shop-pr-1234.svc',
    ]);
    expect(
      (find(result, 'RoleBinding', 'shop-config-reader').subjects as Array<{ namespace: string }>).map(
        (s) => s.namespace,
      ),
    ).toEqual(['shop-pr-1234', 'shop-pr-1234']);
    expect(
      spec(find(result, 'NetworkPolicy', 'postgres-clients')).ingress[0].from[0].namespaceSelector.matchLabels,
    ).toEqual({ 'kubernetes.io/metadata.name': 'shop-pr-1234' });
    expect((find(result, 'ConfigMap', 'notifications-templates').data as Record<string, string>).sender).toBe(
      'orders@shop.example.com',
    );
  });

  it('copies no Secret under Omit, emits no production value, and lets pods start without them', () => {
    expect(result.objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual(['preview-wildcard']);
    const emitted = JSON.stringify(result.objects);
    // POSTGRES_USER is "shop", like the namespace: only the values that identify themselves are searched for.
    const searchable = productionSecretValues.filter((v) => v.length > 8);
    expect(searchable).toHaveLength(4);
    for (const value of searchable) {
      expect([value, emitted.includes(value) || emitted.includes(Buffer.from(value).toString('base64'))]).toEqual([
        value,
        false,
      ]);
    }
    const postgresEnv = containerEnv(find(result, 'StatefulSet', 'postgres')) as Record<
      string,
      { secretKeyRef?: { optional?: boolean } }
    >;
    expect(postgresEnv.POSTGRES_PASSWORD?.secretKeyRef?.optional).toBe(true);
    expect(podSpecOf(find(result, 'Deployment', 'payments'))?.containers?.[0]?.envFrom).toEqual([
      { secretRef: { name: 'payments-api', optional: true } },
    ]);
  });

  it("gives every volume a fresh claim and never reuses production's", () => {
    expect(find(result, 'PersistentVolumeClaim', 'redis-data').spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'fast-ssd',
      resources: { requests: { storage: '20Gi' } },
    });
    expect(spec(find(result, 'StatefulSet', 'postgres')).volumeClaimTemplates[0].spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'fast-ssd',
      resources: { requests: { storage: '200Gi' } },
    });
    expect(podSpecOf(find(result, 'Deployment', 'redis'))?.volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: 'redis-data' } },
    ]);
  });

  it('serves the Ingress under the template with the shared certificate', () => {
    const ingress = find(result, 'Ingress', 'shop');
    expect(result.urls).toEqual(['https://gateway.pr-1234.preview.example.com/']);
    expect(spec(ingress).rules.map((r: { host: string }) => r.host)).toEqual(['gateway.pr-1234.preview.example.com']);
    expect(spec(ingress).tls).toEqual([
      { hosts: ['gateway.pr-1234.preview.example.com'], secretName: 'preview-wildcard' },
    ]);
    expect(JSON.stringify(ingress)).not.toMatch(/shop\.example\.com|letsencrypt/);
    expect(find(result, 'Secret', 'preview-wildcard')).toMatchObject({
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'Q0VSVA==', 'tls.key': 'S0VZ' },
    });
  });

  it('scales replicas, HPA and PDB bounds and resources by the ratios', () => {
    expect(spec(find(result, 'Deployment', 'cart')).replicas).toBe(1);
    expect(spec(find(result, 'Deployment', 'gateway')).replicas).toBeUndefined();
    expect(spec(find(result, 'HorizontalPodAutoscaler', 'gateway'))).toMatchObject({ minReplicas: 1, maxReplicas: 5 });
    expect(spec(find(result, 'HorizontalPodAutoscaler', 'catalog'))).toMatchObject({ minReplicas: 1, maxReplicas: 3 });
    expect(spec(find(result, 'PodDisruptionBudget', 'gateway')).minAvailable).toBe(0);
    expect(spec(find(result, 'PodDisruptionBudget', 'catalog')).maxUnavailable).toBe('25%');
    expect(podSpecOf(find(result, 'Deployment', 'catalog'))?.containers?.[0]?.resources).toEqual({
      requests: { cpu: '125m', memory: '500M' },
      limits: { cpu: '500m', memory: '1G' },
    });
    expect(podSpecOf(find(result, 'Deployment', 'gateway'))?.containers?.[0]?.resources).toEqual({
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { cpu: '750m', memory: '512Mi' },
    });
    expect(podSpecOf(find(result, 'StatefulSet', 'postgres'))?.containers?.[0]?.resources).toEqual({
      requests: { cpu: '1', memory: '4Gi' },
      limits: { cpu: '2', memory: '4Gi' },
    });
  });

  it('changes the image and env of the overridden service only', () => {
    const checkout = podSpecOf(find(result, 'Deployment', 'checkout'))?.containers?.[0];
    expect(checkout?.image).toBe('registry.example.com/shop/checkout:pr-1234');
    expect(checkout?.env?.at(-1)).toEqual({ name: 'FEATURE_X', value: 'on' });
    const images = (objects: readonly KubeObject[]) =>
      objects
        .filter((o) => podSpecOf(o) && o.metadata.name !== 'checkout')
        .map(
          (o) =>
            `${o.kind}/${o.metadata.name}=${podSpecOf(o)
              ?.containers?.map((c) => c.image)
              .join(',')}`,
        )
        .sort();
    expect(images(result.objects)).toEqual(images(baseline));
  });

  it('adds the isolation objects and applies guards before workloads', () => {
    const kinds = result.objects.map((o) => o.kind);
    expect(kinds.indexOf('ResourceQuota')).toBeLessThan(kinds.indexOf('Deployment'));
    expect(kinds.indexOf('ConfigMap')).toBeLessThan(kinds.indexOf('Deployment'));
    expect(kinds.lastIndexOf('Deployment')).toBeLessThan(kinds.indexOf('HorizontalPodAutoscaler'));
    expect(find(result, 'NetworkPolicy', 'understudy-isolation')).toBeDefined();
    expect(spec(find(result, 'ResourceQuota', 'understudy-quota')).hard).toEqual({
      'requests.cpu': '8',
      'requests.memory': '16Gi',
    });
  });

  it("is deterministic, and its revision does not depend on the baseline's order", () => {
    expect(plan()).toEqual(result);
    expect(plan({}, [...baseline].reverse()).baselineRevision).toBe(result.baselineRevision);
    const changed = baseline.map((o) =>
      o.kind === 'ConfigMap' && o.metadata.name === 'checkout-config'
        ? { ...o, data: { 'application.properties': 'checkout.currency=USD' } }
        : o,
    );
    expect(plan({}, changed).baselineRevision).not.toBe(result.baselineRevision);
  });
});

describe('planning the shop with other choices', () => {
  it('suspends: no replicas, no autoscalers, CronJobs suspended', () => {
    const suspended = plan({ suspend: true });
    for (const object of suspended.objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet'))
      expect(spec(object).replicas).toBe(0);
    expect(suspended.objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    expect(spec(find(suspended, 'CronJob', 'orders-reconcile')).suspend).toBe(true);
  });

  it('shares Redis with the baseline through an ExternalName, copying neither it nor its claim', () => {
    const shared = plan({ services: [{ name: 'redis', mode: 'shared' }] });
    expect(shared.objects.some((o) => o.kind === 'Deployment' && o.metadata.name === 'redis')).toBe(false);
    expect(shared.objects.some((o) => o.kind === 'PersistentVolumeClaim')).toBe(false);
    expect(find(shared, 'Service', 'redis').spec).toEqual({
      type: 'ExternalName',
      externalName: 'redis.shop.svc.cluster.local',
      ports: [{ name: 'redis', port: 6379 }],
    });
    expect((find(shared, 'ConfigMap', 'shop-endpoints').data as Record<string, string>).REDIS_ADDR).toBe(
      'redis.shop:6379',
    );
    expect((find(shared, 'ConfigMap', 'shop-endpoints').data as Record<string, string>).CATALOG_URL).toBe(
      'http://catalog.shop-pr-1234.svc.cluster.local:8080',
    );
    expect(shared.services.find((s) => s.name === 'redis')).toEqual({ name: 'redis', kind: 'Service', mode: 'shared' });
  });

  it('generates fresh secrets with the same keys that still fit together', () => {
    const generated = plan({ secrets: { policy: 'Generate' } });
    const db = decodeSecretData(find(generated, 'Secret', 'shop-db'));
    expect([...db.keys()].sort()).toEqual(['DATABASE_URL', 'POSTGRES_PASSWORD', 'POSTGRES_USER']);
    expect(db.get('DATABASE_URL')).toBe(
      `postgres://${db.get('POSTGRES_USER')}:${db.get('POSTGRES_PASSWORD')}@postgres.shop-pr-1234.svc.cluster.local:5432/shop`,
    );
    const emitted = [
      JSON.stringify(generated.objects),
      ...generated.objects.filter((o) => o.kind === 'Secret').flatMap((o) => [...decodeSecretData(o).values()]),
    ].join('\n');
    for (const value of productionSecretValues.filter((v) => v.length > 8))
      expect([value, emitted.includes(value)]).toEqual([value, false]);
    const postgresEnv = containerEnv(find(generated, 'StatefulSet', 'postgres')) as Record<
      string,
      { secretKeyRef?: { optional?: boolean } }
    >;
    expect(postgresEnv.POSTGRES_PASSWORD?.secretKeyRef?.optional).toBeUndefined();
    const again = planEnvironment({
      environment,
      spec: specOf({ secrets: { policy: 'Generate' } }),
      baseline,
      tlsSecret: wildcard,
      currentSecrets: { 'shop-db': find(generated, 'Secret', 'shop-db').data as Record<string, string> },
      random: counterRandom(99),
    });
    expect(find(again, 'Secret', 'shop-db').data).toEqual(find(generated, 'Secret', 'shop-db').data);
  });

  it('copies only the listed Secret', () => {
    const listed = plan({ secrets: { policy: 'CopyListed', names: ['payments-api'] } });
    expect(
      listed.objects
        .filter((o) => o.kind === 'Secret')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['payments-api', 'preview-wildcard']);
    expect(decodeSecretData(find(listed, 'Secret', 'payments-api')).get('PAYMENT_PROVIDER_API_KEY')).toBe(
      'sk_live_51HxProdKeyDoNotLeak9a8b7c6d5e4f',
    );
    expect(JSON.stringify(listed.objects)).not.toContain(Buffer.from('pr0d-Db-Pa55w0rd-7f3c9a1e').toString('base64'));
  });

  it('prunes a service that leaves the selection', () => {
    const narrowed = plan({}, baseline, {
      source: {
        namespace: 'shop',
        selector: {
          matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['notifications'] }],
        },
      },
    });
    const pruned = objectsToPrune(plan().objects, narrowed.objects, environment)
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();
    expect(pruned).toEqual(['ConfigMap/notifications-templates', 'Deployment/notifications', 'Service/notifications']);
  });

  it("drops Ingresses without a host template rather than claim production's hosts", () => {
    const plain = plan({ ingress: undefined });
    expect(plain.objects.some((o) => o.kind === 'Ingress')).toBe(false);
    expect(plain.urls).toEqual([]);
    expect(plain.warnings.join('\n')).toMatch(/Ingress shop is not copied/);
  });

  it('reads rendered manifests whose namespace it infers', () => {
    const fromManifests = planEnvironment({
      environment,
      spec: specOf(
        {},
        {
          source: { namespace: 'shop', manifests: { configMapRef: { namespace: 'platform', name: 'shop-rendered' } } },
        },
      ),
      baseline,
      tlsSecret: wildcard,
      random: counterRandom(),
    });
    expect(fromManifests.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
      plan().objects.map((o) => `${o.kind}/${o.metadata.name}`),
    );
  });

  it('names the field when a service does not exist', () => {
    expect(() => plan({ services: [{ name: 'chekout', image: 'x:1' }] })).toThrow(PlanError);
    expect(() => plan({ services: [{ name: 'cart' }, { name: 'chekout', image: 'x:1' }] })).toThrow(
      expect.objectContaining({
        field: 'spec.services[1].name',
        message: expect.stringMatching(/no workload or Service named chekout.*checkout/),
      }),
    );
  });

  it('names the field when the template cannot render a host', () => {
    const long = { ...environment, name: 'x'.repeat(70) };
    expect(() =>
      planEnvironment({
        environment: long,
        spec: specOf({ ingress: { hostTemplate: '{{environment}}.preview.example.com' } }),
        baseline,
        random: counterRandom(),
      }),
    ).toThrow(expect.objectContaining({ field: 'spec.ingress.hostTemplate' }));
  });
});
