import type { BaselineSpec } from '../../api/baseline';
import { PulumiInfrastructureSchema } from '../../api/infrastructure';
import { buildRequest, digestOf } from './request';

const pulumi = (over: Record<string, unknown>) =>
  PulumiInfrastructureSchema.parse({
    program: { image: 'registry.example.com/platform/understudy-queue:1.4.0' },
    backend: { url: 's3://state' },
    passphraseSecretRef: { name: 'pulumi', key: 'passphrase' },
    ...over,
  });

describe('the StackRequest of an image program', () => {
  it('is refused with runner Inline, naming the field, before any Secret is read', async () => {
    const built = await buildRequest(
      // No client: the refusal comes before anything is read.
      { client: undefined as never },
      {
        environment: { namespace: 'previews', name: 'pr-1', uid: 'u-1' },
        baseline: {} as BaselineSpec,
        pulumi: pulumi({ runner: 'Inline' }),
        envInfra: undefined,
        operatorNamespace: 'understudy-system',
        action: 'up',
      },
    );
    expect(built).toEqual({
      ok: false,
      reason: 'RunnerNotSupported',
      message: 'spec.infrastructure.pulumi.runner: an image program runs only with runner Job',
    });
  });

  it("runs up again when the image changes, and a built-in program's digest is what it was", () => {
    const base = {
      program: 'image' as const,
      backendUrl: 's3://state',
      config: {},
      secretConfig: {},
      env: {},
      stack: 'previews.pr-1.u1',
      project: 'understudy-image',
    };
    expect(digestOf({ ...base, programImage: 'queue:1.4.0' })).not.toBe(
      digestOf({ ...base, programImage: 'queue:1.5.0' }),
    );
    // Digests recorded before image programs existed stay valid (this one was computed by the code before them):
    // no `up` of every stack after an upgrade.
    expect(digestOf({ ...base, program: 'postgres-database' })).toBe('fba948be3f9926e4');
  });
});
