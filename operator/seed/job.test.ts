import { seedJob, seedJobName } from './job';

describe('the seed Job', () => {
  const job = seedJob({ namespace: 'shop-pr-1', name: 'shop', uid: 'u-1', generation: 3, image: 'ghcr.io/understudy/operator:0.1.0', serviceAccountName: 'understudy-seed' });

  it('runs `understudy seed --resource` with the operator image, once, owned by the DataSeed', () => {
    const container = job.spec.template.spec.containers[0]!;
    expect(container.args).toEqual(['seed', '--resource', 'shop-pr-1/shop', '--write-status', '--output', 'json']);
    expect(container.image).toBe('ghcr.io/understudy/operator:0.1.0');
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.metadata.ownerReferences[0]).toMatchObject({ kind: 'DataSeed', uid: 'u-1', controller: true });
  });

  it('is named per generation and within 63 characters', () => {
    expect(job.metadata.name).toBe('shop-seed-3');
    const long = seedJobName('a'.repeat(80), 12345);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long.endsWith('-seed-12345')).toBe(true);
  });
});
