import { createHash } from 'node:crypto';
import type { BaselineSpec } from '../../api/baseline';
import type { EnvironmentInfrastructure, OperatorSecretKey, PulumiInfrastructure } from '../../api/infrastructure';
import { IMAGE_PROGRAM_MODULE, type StackRequest, stackNameOf } from '../../infrastructure/request';
import type { ReconcileContext } from '../../runtime/reconciler';
import { readBaselineSecret } from '../baseline-access';

// The StackRequest of an environment: the Baseline's program, backend and
// configuration, the environment's exposed keys, and the secrets they name,
// read where the admin put them (the operator's namespace, and for
// postgres-database the server's Secret the Baseline registers).

export type Built =
  | { ok: true; request: StackRequest; digest: string }
  | { ok: false; reason: 'SecretUnreadable' | 'RunnerNotSupported'; message: string };

export interface EnvironmentIdentity {
  namespace: string;
  name: string;
  uid: string;
}

export function projectOf(pulumi: PulumiInfrastructure): string {
  return `understudy-${pulumi.program.builtIn ?? 'image'}`;
}

export async function buildRequest(
  ctx: Pick<ReconcileContext, 'client'>,
  o: {
    environment: EnvironmentIdentity;
    baseline: BaselineSpec;
    pulumi: PulumiInfrastructure;
    envInfra: EnvironmentInfrastructure | undefined;
    operatorNamespace: string;
    action: StackRequest['action'];
  },
): Promise<Built> {
  const { pulumi } = o;
  const image = pulumi.program.builtIn ? undefined : pulumi.program.image;
  if (!pulumi.program.builtIn && (!image || pulumi.runner !== 'Job')) {
    // An image program runs in its own image: only a Job can run it.
    return {
      ok: false,
      reason: 'RunnerNotSupported',
      message: image
        ? 'spec.infrastructure.pulumi.runner: an image program runs only with runner Job'
        : 'spec.infrastructure.pulumi.program: give builtIn or image',
    };
  }
  const read = async (ref: OperatorSecretKey, field: string): Promise<string> => {
    const value = await readBaselineSecret(ctx, { namespace: o.operatorNamespace, ...ref });
    if (!value.ok) throw new SecretError(`${field}: ${value.message}`);
    return value.value;
  };
  try {
    const passphrase = await read(pulumi.passphraseSecretRef, 'spec.infrastructure.pulumi.passphraseSecretRef');
    const secretConfig: Record<string, string> = {};
    for (const [i, entry] of (pulumi.secretConfig ?? []).entries())
      secretConfig[entry.key] = await read(entry.secretRef, `spec.infrastructure.pulumi.secretConfig[${i}]`);
    const env: Record<string, string> = {};
    for (const [i, entry] of (pulumi.env ?? []).entries())
      env[entry.name] = await read(entry.secretRef, `spec.infrastructure.pulumi.env[${i}]`);
    if (pulumi.program.builtIn === 'postgres-database') {
      const server = (o.baseline.data?.databases ?? []).find((d) => d.name === pulumi.config?.server);
      if (!server)
        throw new SecretError(
          `spec.infrastructure.pulumi.config.server: no database named ${pulumi.config?.server ?? '(unset)'} in spec.data.databases`,
        );
      const url = await readBaselineSecret(ctx, server.connectionSecretRef);
      if (!url.ok) throw new SecretError(`spec.data.databases[${server.name}].connectionSecretRef: ${url.message}`);
      secretConfig.serverUrl = url.value;
    }
    const config = { ...(pulumi.config ?? {}), ...(o.envInfra?.config ?? {}) };
    const request: StackRequest = {
      action: o.action,
      project: projectOf(pulumi),
      stack: stackNameOf(o.environment),
      program: pulumi.program.builtIn ?? 'image',
      ...(image ? { programModule: IMAGE_PROGRAM_MODULE, programImage: image } : {}),
      backendUrl: pulumi.backend.url,
      passphrase,
      config,
      secretConfig,
      env,
      removeStack: true,
    };
    return { ok: true, request, digest: digestOf(request) };
  } catch (error) {
    if (error instanceof SecretError) return { ok: false, reason: 'SecretUnreadable', message: error.message };
    throw error;
  }
}

class SecretError extends Error {}

/** What `up` depends on: a different digest runs `up` again. Secret values enter only hashed. */
export function digestOf(
  request: Pick<StackRequest, 'program' | 'backendUrl' | 'config' | 'secretConfig' | 'env' | 'stack' | 'project'> &
    Partial<Pick<StackRequest, 'programImage'>>,
): string {
  const sorted = (r: Record<string, string>) =>
    Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({
      program: request.program,
      ...(request.programImage ? { image: request.programImage } : {}),
      project: request.project,
      stack: request.stack,
      backend: request.backendUrl,
      config: sorted(request.config),
    }),
  );
  hash.update(JSON.stringify({ secretConfig: sorted(request.secretConfig), env: sorted(request.env) }));
  return hash.digest('hex').slice(0, 16);
}
