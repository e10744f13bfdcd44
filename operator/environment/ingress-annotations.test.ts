import { stripUnsafeIngressAnnotations } from './ingress-annotations';
import type { KubeObject } from './objects';

const ingress = (annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'shop', namespace: 'shop', ...(annotations ? { annotations } : {}) },
  spec: { rules: [{ host: 'shop.example.com' }] },
});

describe('stripUnsafeIngressAnnotations', () => {
  it('removes every snippet annotation, whatever the controller, and keeps the rest', () => {
    const source = ingress({
      'nginx.ingress.kubernetes.io/configuration-snippet': 'more_set_headers "X: y";',
      'nginx.ingress.kubernetes.io/server-snippet': 'location /x { proxy_pass http://kubernetes.default; }',
      'nginx.ingress.kubernetes.io/auth-snippet': 'return 200;',
      'nginx.ingress.kubernetes.io/stream-snippet': 'server {}',
      'nginx.org/server-snippets': 'x',
      'haproxy.org/backend-config-snippet': 'x',
      'example.com/Custom-SNIPPET-text': 'x',
      'nginx.ingress.kubernetes.io/proxy-body-size': '8m',
      'nginx.ingress.kubernetes.io/rewrite-target': '/',
    });
    const before = JSON.stringify(source);
    const { object, removed } = stripUnsafeIngressAnnotations(source);
    expect(object.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/proxy-body-size': '8m',
      'nginx.ingress.kubernetes.io/rewrite-target': '/',
    });
    expect(removed).toEqual([
      'example.com/Custom-SNIPPET-text',
      'haproxy.org/backend-config-snippet',
      'nginx.ingress.kubernetes.io/auth-snippet',
      'nginx.ingress.kubernetes.io/configuration-snippet',
      'nginx.ingress.kubernetes.io/server-snippet',
      'nginx.ingress.kubernetes.io/stream-snippet',
      'nginx.org/server-snippets',
    ]);
    expect(JSON.stringify(source)).toBe(before);
    expect(object.spec).toEqual(source.spec);
  });

  it('drops the annotation map when only snippets were in it', () => {
    const { object, removed } = stripUnsafeIngressAnnotations(
      ingress({ 'nginx.ingress.kubernetes.io/server-snippet': 'x' }),
    );
    expect(object.metadata).toEqual({ name: 'shop', namespace: 'shop' });
    expect(removed).toEqual(['nginx.ingress.kubernetes.io/server-snippet']);
  });

  it('returns an equal copy, not the input, when there is nothing to remove', () => {
    const source = ingress();
    const { object, removed } = stripUnsafeIngressAnnotations(source);
    expect(removed).toEqual([]);
    expect(object).toEqual(source);
    expect(object).not.toBe(source);
  });
});
