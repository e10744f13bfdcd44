import type { KubeObject } from './objects';
import { applyOverride, externalNameService } from './overrides';
import { repositoryOf } from '../api/values/image';

const checkout: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'checkout' },
  spec: {
    template: {
      spec: {
        initContainers: [{ name: 'migrate', image: 'registry.example.com/shop/checkout:1.0.0', args: ['migrate'] }],
        containers: [
          { name: 'proxy', image: 'envoyproxy/envoy:v1.31.0' },
          {
            name: 'checkout',
            image: 'registry.example.com/shop/checkout:1.0.0',
            env: [
              { name: 'LOG_LEVEL', value: 'info' },
              { name: 'FEATURE_X', value: 'off' },
            ],
          },
        ],
      },
    },
  },
};

const containersOf = (object: KubeObject): any => (object.spec as any).template.spec; // any: reading a fixture

describe('applyOverride', () => {
  it('replaces the image and env of the containers running the same repository, not sidecars', () => {
    const out = containersOf(
      applyOverride(checkout, {
        image: 'registry.example.com/shop/checkout:pr-1234',
        env: [
          { name: 'FEATURE_X', value: 'on' },
          { name: 'NEW', value: '1' },
        ],
      }),
    );
    expect(out.initContainers[0].image).toBe('registry.example.com/shop/checkout:pr-1234');
    expect(out.containers[0]).toEqual({ name: 'proxy', image: 'envoyproxy/envoy:v1.31.0' });
    expect(out.containers[1].image).toBe('registry.example.com/shop/checkout:pr-1234');
    expect(out.containers[1].env).toEqual([
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'FEATURE_X', value: 'on' },
      { name: 'NEW', value: '1' },
    ]);
    expect(out.initContainers[0].env).toEqual([
      { name: 'FEATURE_X', value: 'on' },
      { name: 'NEW', value: '1' },
    ]);
  });

  it('falls back to the first container when no container runs that repository', () => {
    const out = containersOf(applyOverride(checkout, { image: 'ghcr.io/team/checkout@sha256:' + 'a'.repeat(64) }));
    expect(out.containers[0].image).toBe('ghcr.io/team/checkout@sha256:' + 'a'.repeat(64));
    expect(out.containers[1].image).toBe('registry.example.com/shop/checkout:1.0.0');
  });

  it('puts env alone on the first container and takes valueFrom', () => {
    const out = containersOf(
      applyOverride(checkout, {
        env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'pr-token', key: 't' } } }],
      }),
    );
    expect(out.containers[0].env).toEqual([
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'pr-token', key: 't' } } },
    ]);
    expect(out.containers[1].env).toHaveLength(2);
  });
});

describe('repositoryOf', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx'],
    ['nginx:1.27', 'docker.io/library/nginx'],
    ['docker.io/library/nginx@sha256:' + 'b'.repeat(64), 'docker.io/library/nginx'],
    ['bitnami/redis:7', 'docker.io/bitnami/redis'],
    ['registry.example.com:5000/shop/cart:1', 'registry.example.com:5000/shop/cart'],
    ['localhost/app:dev', 'localhost/app'],
  ])('%s is %s', (image, repository) => expect(repositoryOf(image)).toBe(repository));
});

describe('externalNameService', () => {
  it("points at the baseline's Service by its cluster DNS name", () => {
    const service: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'redis', labels: { app: 'redis' } },
      spec: {
        selector: { app: 'redis' },
        ports: [{ name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' }],
      },
    };
    expect(externalNameService(service, 'shop')).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'redis', labels: { app: 'redis' } },
      spec: {
        type: 'ExternalName',
        externalName: 'redis.shop.svc.cluster.local',
        ports: [{ name: 'redis', port: 6379, protocol: 'TCP' }],
      },
    });
  });
});
