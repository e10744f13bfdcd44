import { seedJob } from '../../seed/job';
import { operatorImagePullSecrets } from './image';

describe('seed Job pull secrets', () => {
  it("reads the chart's comma-separated names, ignoring blanks", () => {
    expect(operatorImagePullSecrets({ UNDERSTUDY_IMAGE_PULL_SECRETS: ' regcred, ,ghcr ' })).toEqual([
      'regcred',
      'ghcr',
    ]);
    expect(operatorImagePullSecrets({})).toEqual([]);
  });

  it("puts them on the seed Job's pod, and nothing when there are none", () => {
    const base = { namespace: 'ns', name: 'shop', uid: 'u', generation: 1, image: 'i', serviceAccountName: 'sa' };
    expect(seedJob({ ...base, imagePullSecrets: ['regcred', 'ghcr'] }).spec.template.spec).toMatchObject({
      imagePullSecrets: [{ name: 'regcred' }, { name: 'ghcr' }],
    });
    expect(seedJob({ ...base, imagePullSecrets: [] }).spec.template.spec).not.toHaveProperty('imagePullSecrets');
    expect(seedJob(base).spec.template.spec).not.toHaveProperty('imagePullSecrets');
  });
});
