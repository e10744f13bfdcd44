import { packageVersion } from '../../package-version';

// Seed Jobs run the operator's own image. The chart passes it in
// UNDERSTUDY_IMAGE; without it, the chart's default image at this version.

export const IMAGE_ENV = 'UNDERSTUDY_IMAGE';
export const DEFAULT_REPOSITORY = 'ghcr.io/understudy-dev/understudy';

/** Names of pull Secrets for that image, comma-separated; the chart sets it from its imagePullSecrets. */
export const IMAGE_PULL_SECRETS_ENV = 'UNDERSTUDY_IMAGE_PULL_SECRETS';

export function operatorImagePullSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[IMAGE_PULL_SECRETS_ENV] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

export function operatorImage(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[IMAGE_ENV]?.trim();
  return fromEnv ? fromEnv : `${DEFAULT_REPOSITORY}:${packageVersion() ?? 'latest'}`;
}
