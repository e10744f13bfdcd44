import type { KubeObject } from './objects';
import { PlanError, planEnvironment } from './plan';
import { copySpecOf } from './testing/copy-spec';

// The Baseline's TLS Secret lands in the target namespace under its own name.
// A production workload that happens to name a Secret of that name reads the
// shared key in the copy: its image and env may not be the tenant's.

const environment = { name: 'pr-1', namespace: 'previews', uid: 'uid-1' };
const tlsBaseline = {
  ingress: { domain: 'preview.example.com', tlsSecretRef: { namespace: 'previews', name: 'wildcard' } },
};
const ingress = { hostTemplate: '{{service}}.{{environment}}.preview.example.com' };

function deployment(name: string, secret?: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name, image: `registry.example.com/${name}:1` }],
          ...(secret ? { volumes: [{ name: 'certs', secret: { secretName: secret } }] } : {}),
        },
      },
    },
  };
}

const baseline = [deployment('edge', 'wildcard'), deployment('web')];

function plan(env: Record<string, unknown>) {
  return planEnvironment({
    environment,
    spec: copySpecOf(env, { baseline: tlsBaseline, environment }),
    baseline,
    random: () => Buffer.alloc(32),
  });
}

describe('planEnvironment: the TLS Secret and overrides', () => {
  it("refuses the tenant's image in a workload reading a Secret named like the TLS Secret", () => {
    expect(() => plan({ ingress, services: [{ name: 'edge', image: 'registry.example.com/edge:pr-1' }] })).toThrow(
      new PlanError(
        'spec.services[0]',
        "Deployment edge reads a Secret named wildcard, which in the environment is the Baseline's TLS Secret; its image and env cannot be overridden",
      ),
    );
    expect(() => plan({ ingress, services: [{ name: 'edge', env: [{ name: 'A', value: 'b' }] }] })).toThrow(PlanError);
  });

  it('allows overrides elsewhere, the workload copied as it is, and any override without hosts (no TLS Secret copied)', () => {
    expect(() => plan({ ingress, services: [{ name: 'web', image: 'registry.example.com/web:pr-1' }] })).not.toThrow();
    expect(() => plan({ ingress, services: [{ name: 'edge' }] })).not.toThrow();
    expect(() => plan({ services: [{ name: 'edge', image: 'registry.example.com/edge:pr-1' }] })).not.toThrow();
  });
});
