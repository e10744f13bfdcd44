import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { KubeClient } from './kube-client';

// controller-runtime's filters.WithAuthenticationAndAuthorization: the bearer
// token is checked with a TokenReview, then whoever it belongs to must be
// allowed `get` on the non-resource URL (a SubjectAccessReview), which the
// chart's <release>-metrics-reader ClusterRole grants. Verdicts are cached
// briefly per token so a scrape every 15 s costs no API call.

export interface AuthVerdict {
  status: 200 | 401 | 403 | 500;
  message: string;
}

export interface MetricsAuthOptions {
  client: KubeClient;
  /** How long an allowed or refused token is remembered; refusals shorter, so a new binding takes effect soon. */
  allowedTtlMs?: number;
  deniedTtlMs?: number;
  now?: () => number;
}

const TokenReviewStatus = z.object({
  status: z
    .object({
      authenticated: z.boolean().optional(),
      error: z.string().optional(),
      user: z
        .object({
          username: z.string().optional(),
          uid: z.string().optional(),
          groups: z.array(z.string()).optional(),
          extra: z.record(z.string(), z.array(z.string())).optional(),
        })
        .optional(),
    })
    .optional(),
});

const AccessReviewStatus = z.object({
  status: z.object({ allowed: z.boolean().optional(), reason: z.string().optional() }).optional(),
});

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(req: Pick<IncomingMessage, 'headers'>): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

export class MetricsAuthorizer {
  private readonly cache = new Map<string, { verdict: AuthVerdict; until: number }>();
  private readonly now: () => number;

  constructor(private readonly options: MetricsAuthOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Whether the request's bearer token may `get` `path`. */
  async check(req: Pick<IncomingMessage, 'headers'>, path: string): Promise<AuthVerdict> {
    const token = bearerToken(req);
    if (!token) return { status: 401, message: 'Unauthorized: a bearer token is required' };
    const key = `${path}\u0000${token}`;
    const cached = this.cache.get(key);
    if (cached && cached.until > this.now()) return cached.verdict;
    const verdict = await this.review(token, path);
    if (verdict.status !== 500) {
      const ttl = verdict.status === 200 ? (this.options.allowedTtlMs ?? 60_000) : (this.options.deniedTtlMs ?? 10_000);
      this.prune();
      this.cache.set(key, { verdict, until: this.now() + ttl });
    }
    return verdict;
  }

  private async review(token: string, path: string): Promise<AuthVerdict> {
    let user: NonNullable<NonNullable<z.infer<typeof TokenReviewStatus>['status']>['user']>;
    try {
      const review = TokenReviewStatus.parse(
        await this.options.client.review({
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenReview',
          spec: { token },
        }),
      );
      if (!review.status?.authenticated || !review.status.user) return { status: 401, message: 'Unauthorized' };
      user = review.status.user;
    } catch (err) {
      return { status: 500, message: `authentication failed: ${(err as Error).message}` };
    }
    try {
      const access = AccessReviewStatus.parse(
        await this.options.client.review({
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: user.username,
            ...(user.uid ? { uid: user.uid } : {}),
            groups: user.groups ?? [],
            ...(user.extra ? { extra: user.extra } : {}),
            nonResourceAttributes: { path, verb: 'get' },
          },
        }),
      );
      if (access.status?.allowed) return { status: 200, message: 'ok' };
      return { status: 403, message: `Forbidden: user "${user.username ?? ''}" may not get path "${path}"` };
    } catch (err) {
      return { status: 500, message: `authorization failed: ${(err as Error).message}` };
    }
  }

  /** Keeps the cache bounded: expired entries go first, then the oldest. */
  private prune(): void {
    if (this.cache.size < 1024) return;
    const now = this.now();
    for (const [key, entry] of this.cache) if (entry.until <= now) this.cache.delete(key);
    while (this.cache.size >= 1024) this.cache.delete(this.cache.keys().next().value as string);
  }
}
