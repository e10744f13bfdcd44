import { seedJob, seedJobName } from './job';

describe('the seed Job', () => {
  const job = seedJob({
    namespace: 'shop-pr-1',
    name: 'shop',
    uid: 'u-1',
    generation: 3,
    image: 'ghcr.io/understudy/operator:0.1.0',
    serviceAccountName: 'understudy-seed',
  });

  it('labels the Job with a valid label value, however long the DataSeed name', () => {
    const long = seedJob({
      namespace: 'ns',
      name: `${'d'.repeat(62)}.x`,
      uid: 'u',
      generation: 1,
      image: 'i',
      serviceAccountName: 'sa',
    });
    expect(long.metadata.labels['understudy.dev/dataseed']).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(long.metadata.labels['understudy.dev/dataseed'].length).toBeLessThanOrEqual(63);
  });

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
    // Cut where a dash was: still a valid name, and distinct from a sibling sharing the prefix.
    const dashed = seedJobName(`${'a'.repeat(41)}-x${'b'.repeat(30)}`, 7);
    expect(dashed).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(dashed).not.toBe(seedJobName(`${'a'.repeat(41)}-y${'b'.repeat(30)}`, 7));
  });
});
