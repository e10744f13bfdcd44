import { baselineSpecOf } from '../../environment/testing/copy-spec';
import { accessNeeds, describeNeed } from './access-checks';

describe('what a Baseline needs the operator to read', () => {
  it('lists the source, and Secrets only where the Baseline names them', () => {
    const omit = accessNeeds(baselineSpecOf({ secrets: { maxPolicy: 'Omit' } }), 'understudy-system');
    expect(omit.map(describeNeed)).toEqual(['list deployments in namespace shop (the production workloads)']);
    const full = accessNeeds(
      baselineSpecOf({
        secrets: { maxPolicy: 'Generate' },
        ingress: { domain: 'preview.example.com', tlsSecretRef: { namespace: 'certs', name: 'wildcard' } },
        data: {
          databases: [
            { name: 'orders', connectionSecretRef: { namespace: 'db-admin', name: 'orders-ro', key: 'url' } },
          ],
        },
      }),
      'understudy-system',
    );
    expect(full.filter((n) => n.condition === 'SecretsReadable').map(describeNeed)).toEqual([
      'list secrets in namespace shop (production Secrets (secrets.maxPolicy Generate))',
      'get secret certs/wildcard (the TLS certificate)',
      "get secret db-admin/orders-ro (database orders's connection)",
    ]);
  });

  it("reads a remote kubeconfig only from the operator's own namespace", () => {
    const remote = accessNeeds(
      baselineSpecOf({
        source: { namespace: 'shop', cluster: { kubeconfigSecretRef: { name: 'prod', key: 'config' } } },
      }),
      'understudy-system',
    );
    expect(remote).toEqual([
      expect.objectContaining({
        condition: 'SourceReadable',
        namespace: 'understudy-system',
        resource: 'secrets',
        name: 'prod',
      }),
    ]);
  });
});
