import { Kinds, type SecretObject } from '../../kinds';
import type { KubernetesObject } from '../../runtime/client-node';
import { KubeApiError } from '../../runtime/kube-errors';

/** What reading a Secret needs of a client; the runtime's KubeClient has it. */
export interface SecretGetter {
  get<T extends KubernetesObject>(ref: {
    apiVersion: string;
    kind: string;
    namespace?: string;
    name: string;
  }): Promise<T | undefined>;
}

/**
 * One key of a Secret, decoded. Errors name `field` and the Secret, never a
 * value; a 403 says the operator lacks read access there (Secrets are read
 * only where an admin granted it), not that the Secret is missing.
 */
export async function readSecretKey(
  client: SecretGetter,
  namespace: string,
  name: string,
  key: string,
  field: string,
): Promise<string> {
  let secret: SecretObject | undefined;
  try {
    secret = await client.get<SecretObject>({
      apiVersion: Kinds.Secret.apiVersion,
      kind: Kinds.Secret.kind,
      namespace,
      name,
    });
  } catch (err) {
    if (err instanceof KubeApiError && err.statusCode === 403) {
      throw new Error(
        `${field}: not allowed to read Secrets in namespace ${namespace}; an admin grants it with the chart value rbac.secretNamespaces (docs/security.md)`,
        { cause: err },
      );
    }
    throw err;
  }
  if (!secret) throw new Error(`${field}: Secret ${namespace}/${name} not found`);
  const encoded = secret.data?.[key];
  if (encoded === undefined) throw new Error(`${field}: Secret ${namespace}/${name} has no key ${key}`);
  return Buffer.from(encoded, 'base64').toString('utf8');
}
