import { claimedHosts, hostTemplateAllowed } from './host-policy';
import type { KubeObject } from './objects';

describe('hostTemplateAllowed', () => {
  const domain = 'preview.example.com';

  it.each([
    ['{{service}}.{{environment}}.preview.example.com'],
    ['{{ service }}-{{ environment }}.preview.example.com'],
    ['{{environment}}.preview.example.com'],
    ['{{service}}.{{namespace}}.preview.example.com'],
    ['shop-{{namespace}}.preview.example.com'],
  ])('allows %s', (template) => {
    expect(hostTemplateAllowed(template, domain)).toBeUndefined();
  });

  it.each([
    ['shop.example.com', /must end in "\.preview\.example\.com"/],
    ['shop.preview.example.com', /must contain \{\{environment\}\} or \{\{namespace\}\}/],
    ['{{service}}.preview.example.com', /must contain \{\{environment\}\} or \{\{namespace\}\}/],
    ['{{service}}.{{environment}}.preview.example.com.evil.io', /must end in/],
    ['{{environment}}preview.example.com', /must end in/],
    ['{{environment}}.evilpreview.example.com', /must end in/],
    ['preview.example.com', /must end in/],
    ['{{service}}.{{environment}}.{{namespace}}', /must end in/],
    ['{{environment}}.{{service}}preview.example.com', /must end in/],
    ['{{svc}}.{{environment}}.preview.example.com', /unknown placeholder/],
    ['*.{{environment}}.preview.example.com', /lowercase/],
    ['{{service}}.{{environment}}.Preview.example.com', /lowercase/],
  ])('refuses %s', (template, problem) => {
    expect(hostTemplateAllowed(template, domain)).toMatch(problem);
  });

  it('accepts the domain as the Baseline spells it, with a trailing dot or capitals', () => {
    expect(hostTemplateAllowed('{{environment}}.preview.example.com', 'Preview.Example.com.')).toBeUndefined();
    expect(hostTemplateAllowed('{{environment}}.preview.example.com', '')).toMatch(/no ingress domain/);
  });
});

describe('claimedHosts', () => {
  const ingress = (namespace: string, name: string, spec: unknown): KubeObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace },
    spec,
  });

  it('maps every host of every other namespace to its Ingress', () => {
    const claims = claimedHosts(
      [
        ingress('shop', 'web', {
          rules: [{ host: 'shop.example.com' }, { host: 'WWW.shop.example.com' }, {}],
          tls: [{ hosts: ['shop.example.com', 'secure.example.com'] }],
        }),
        ingress('preview-b-pr-1', 'gateway', { rules: [{ host: 'gateway.pr-1.preview.example.com' }] }),
        ingress('preview-a-pr-1', 'gateway', {
          rules: [{ host: 'gateway.pr-1.preview.example.com' }, { host: 'mine.preview.example.com' }],
        }),
        ingress('other', 'broken', { rules: 'nope', tls: [{ hosts: [42] }, null] }),
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'svc', namespace: 'x' },
          spec: { rules: [{ host: 'not.an.ingress' }] },
        },
      ],
      'preview-a-pr-1',
    );
    expect(Object.fromEntries(claims)).toEqual({
      'shop.example.com': 'shop/web',
      'www.shop.example.com': 'shop/web',
      'secure.example.com': 'shop/web',
      'gateway.pr-1.preview.example.com': 'preview-b-pr-1/gateway',
    });
  });

  it('names the same claimant whatever the order of the list', () => {
    const a = ingress('a', 'one', { rules: [{ host: 'h.example.com' }] });
    const b = ingress('b', 'two', { rules: [{ host: 'h.example.com' }] });
    expect(claimedHosts([a, b], 'x').get('h.example.com')).toBe('a/one');
    expect(claimedHosts([b, a], 'x').get('h.example.com')).toBe('a/one');
  });
});
