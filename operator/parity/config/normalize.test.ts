import fc from 'fast-check';
import { asStoredByServer, shopService } from '../testing/shop-fixture';
import { defaultPullPolicy } from './defaults';
import { sameAcrossNamespaces, toStaging } from './namespaces';
import { normalize, type KubeObject } from './normalize';
import { parseQuantity } from './quantity';

const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    tie('object'),
    fc.array(tie('value'), { maxLength: 3 }),
  ),
  object: fc.dictionary(
    fc.constantFrom('spec', 'replicas', 'template', 'containers', 'ports', 'protocol', 'strategy', 'x'),
    tie('value'),
    { maxKeys: 4 },
  ),
}));

describe('normalize', () => {
  it('is idempotent on arbitrary objects of every kind', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('Deployment', 'StatefulSet', 'DaemonSet', 'Service', 'HorizontalPodAutoscaler', 'Secret'),
        json.object,
        (kind, body) => {
          const object = { ...body, kind, metadata: { name: 'x' } } as KubeObject;
          const once = normalize(object);
          expect(normalize(once)).toEqual(once);
        },
      ),
    );
  });

  it('strips server-set fields and folds defaults only when equal', () => {
    const [deployment, service] = shopService('api', { namespace: 'shop', replicas: 1 }).map(asStoredByServer);
    const d = normalize(deployment!) as any; // any: reading into a normalised manifest
    expect(d.status).toBeUndefined();
    expect(d.spec.replicas).toBeUndefined();
    expect(d.spec.template.metadata.creationTimestamp).toBeUndefined();
    expect(d.spec.template.spec.containers[0].imagePullPolicy).toBeUndefined();
    const s = normalize(service!) as any; // any: as above
    expect(s.spec.clusterIP).toBeUndefined();
    expect(s.spec.ports[0]).toEqual({ name: 'http', port: 8080 });
    const three = normalize(asStoredByServer(shopService('api', { namespace: 'shop', replicas: 3 })[0]!)) as any; // any: as above
    expect(three.spec.replicas).toBe(3);
  });

  it('defaults imagePullPolicy from the image tag', () => {
    expect(defaultPullPolicy('nginx')).toBe('Always');
    expect(defaultPullPolicy('nginx:latest')).toBe('Always');
    expect(defaultPullPolicy('localhost:5000/nginx')).toBe('Always');
    expect(defaultPullPolicy('nginx:1.2')).toBe('IfNotPresent');
    expect(defaultPullPolicy('nginx@sha256:abc')).toBe('IfNotPresent');
  });
});

describe('namespace mapping', () => {
  const mapping = { staging: 'shop-pr-1', production: 'shop' };
  it('maps namespaces used as DNS labels or whole values', () => {
    expect(sameAcrossNamespaces('http://catalog.shop-pr-1.svc:8080', 'http://catalog.shop.svc:8080', mapping)).toBe(
      true,
    );
    expect(sameAcrossNamespaces('catalog.shop-pr-1.svc.cluster.local', 'catalog.shop.svc.cluster.local', mapping)).toBe(
      true,
    );
    expect(sameAcrossNamespaces('shop-pr-1', 'shop', mapping)).toBe(true);
    expect(
      sameAcrossNamespaces('postgres://db.shop-pr-1.svc:5432/shop', 'postgres://db.shop.svc:5432/shop', mapping),
    ).toBe(true);
    expect(sameAcrossNamespaces('--namespace=shop-pr-1', '--namespace=shop', mapping)).toBe(true);
  });
  it('leaves other words alone, as the copy does', () => {
    expect(toStaging('shopping', mapping)).toBe('shopping');
    expect(toStaging('catalog.shop-x.svc', mapping)).toBe('catalog.shop-x.svc');
    // A public host under a domain that happens to equal the namespace is not a Service reference.
    const cors = 'https://www.shop.example.com\nhttp://cart.shop.svc.cluster.local:8080';
    expect(toStaging(cors, mapping)).toBe('https://www.shop.example.com\nhttp://cart.shop-pr-1.svc.cluster.local:8080');
    expect(sameAcrossNamespaces('https://www.shop.example.com', 'https://www.shop.example.com', mapping)).toBe(true);
    expect(sameAcrossNamespaces('http://catalog.other.svc', 'http://catalog.shop.svc', mapping)).toBe(false);
  });
});

describe('quantities', () => {
  it.each([
    ['250m', 0.25],
    ['1', 1],
    ['1Gi', 2 ** 30],
    ['128Mi', 128 * 2 ** 20],
    ['1e3', 1000],
    ['2k', 2000],
  ])('%s', (text, value) => expect(parseQuantity(text)).toBeCloseTo(value));
  it('rejects what is not a quantity', () => expect(parseQuantity('lots')).toBeUndefined());
});
