import { hostProblem, hostTemplateProblem, renderHost } from '../api/values/hosts';
import { HostTemplateError, hostIngress } from './ingress';
import type { KubeObject } from './objects';

const production: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: {
    name: 'shop',
    annotations: {
      'cert-manager.io/cluster-issuer': 'letsencrypt-prod',
      'external-dns.alpha.kubernetes.io/hostname': 'shop.example.com',
      'nginx.ingress.kubernetes.io/proxy-body-size': '8m',
    },
  },
  spec: {
    ingressClassName: 'nginx',
    tls: [{ hosts: ['shop.example.com', 'www.shop.example.com'], secretName: 'shop-tls' }],
    defaultBackend: { service: { name: 'fallback', port: { number: 80 } } },
    rules: [
      {
        host: 'shop.example.com',
        http: {
          paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'gateway', port: { name: 'http' } } } }],
        },
      },
      {
        host: 'www.shop.example.com',
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: { service: { name: 'gateway', port: { name: 'http' } } } },
            { path: '/static', pathType: 'Prefix', backend: { service: { name: 'cdn', port: { number: 80 } } } },
          ],
        },
      },
      {
        http: {
          paths: [
            { path: '/admin', pathType: 'Prefix', backend: { service: { name: 'admin', port: { number: 80 } } } },
          ],
        },
      },
    ],
  },
};

const hosting = {
  hostTemplate: '{{service}}.{{environment}}.preview.example.com',
  environment: 'pr-7',
  namespace: 'shop-pr-7',
};

describe('hostIngress', () => {
  it('gives every rule a templated host, merging rules that land on the same host', () => {
    const { ingress, hosts, urls } = hostIngress(production, hosting);
    const spec = ingress.spec as any; // any: reading the result
    expect(hosts).toEqual([
      'gateway.pr-7.preview.example.com',
      'admin.pr-7.preview.example.com',
      'fallback.pr-7.preview.example.com',
    ]);
    expect(urls).toEqual(hosts.map((h) => `http://${h}/`));
    expect(spec.rules[0].http.paths.map((p: { path: string }) => p.path)).toEqual(['/', '/static']);
    expect(spec.defaultBackend).toBeUndefined();
    expect(spec.tls).toBeUndefined();
    expect(JSON.stringify(ingress)).not.toContain('shop.example.com');
    expect(ingress.metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' });
  });

  it('uses the shared certificate for every host and can change the class', () => {
    const { ingress, urls } = hostIngress(production, {
      ...hosting,
      tlsSecretName: 'preview-wildcard',
      className: 'preview',
    });
    const spec = ingress.spec as any; // any: reading the result
    expect(spec.tls).toEqual([
      {
        hosts: [
          'gateway.pr-7.preview.example.com',
          'admin.pr-7.preview.example.com',
          'fallback.pr-7.preview.example.com',
        ],
        secretName: 'preview-wildcard',
      },
    ]);
    expect(spec.ingressClassName).toBe('preview');
    expect(urls[0]).toBe('https://gateway.pr-7.preview.example.com/');
  });

  it('refuses a template that renders an invalid host', () => {
    const longName = 'x'.repeat(60);
    expect(() =>
      hostIngress(production, {
        ...hosting,
        hostTemplate: '{{service}}-{{environment}}.example.com',
        environment: longName,
      }),
    ).toThrow(HostTemplateError);
  });
});

describe('host templates', () => {
  it('renders the three variables', () => {
    expect(
      renderHost('{{ service }}.{{environment}}.{{namespace}}.example.com', {
        service: 'cart',
        environment: 'pr-1',
        namespace: 'shop-pr-1',
      }),
    ).toBe('cart.pr-1.shop-pr-1.example.com');
  });

  it.each([
    ['{{service}}.{{environment}}.preview.example.com', undefined],
    ['{{namespace}}.example.com', undefined],
    ['{{svc}}.example.com', /unknown placeholder/],
    ['{{service}.example.com', /unbalanced/],
    ['{{service}}', /two labels/],
    ['{{service}}.Example.com', /lowercase/],
    ['*.example.com', /lowercase/],
  ])('%s', (template, problem) => {
    const found = hostTemplateProblem(template);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });

  it('checks label and name lengths', () => {
    expect(hostProblem(`${'a'.repeat(64)}.example.com`)).toMatch(/longer than 63/);
    expect(hostProblem(`${'a.'.repeat(127)}com`)).toMatch(/longer than 253/);
  });
});
