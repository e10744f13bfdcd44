import { desiredEcho, echoName } from './configmap-echo';

describe('configmap-echo test controller', () => {
  it('copies the data, adds the writer and points its owner reference at the source', () => {
    const echo = desiredEcho({ metadata: { name: 'a', namespace: 'n', uid: 'u-1' }, data: { k: 'v' } }, 'op-1');
    expect(echo.metadata?.name).toBe(echoName('a'));
    expect(echo.data).toEqual({ k: 'v', reconciledBy: 'op-1' });
    expect(echo.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'ConfigMap',
      name: 'a',
      uid: 'u-1',
      controller: true,
    });
  });
});
