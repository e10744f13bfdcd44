import { INFRASTRUCTURE_FINALIZER, infrastructureHoldsNamespace } from './hold';

describe('infrastructureHoldsNamespace', () => {
  it('holds the namespace exactly while the infrastructure finalizer is present', () => {
    expect(
      infrastructureHoldsNamespace({
        metadata: { finalizers: ['understudy.dev/environment-cleanup', INFRASTRUCTURE_FINALIZER] },
      }),
    ).toBe(true);
    expect(infrastructureHoldsNamespace({ metadata: { finalizers: ['understudy.dev/environment-cleanup'] } })).toBe(
      false,
    );
    expect(infrastructureHoldsNamespace({})).toBe(false);
  });
});
