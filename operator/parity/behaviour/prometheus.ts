// A minimal client for Prometheus's HTTP API (/api/v1/query_range).
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';

export interface Series {
  labels: Record<string, string>;
  /** Sample values in time order; NaN and ±Inf are kept so callers can count them. */
  values: number[];
}

export interface MetricsSource {
  readonly description: string;
  queryRange(query: string, startSeconds: number, endSeconds: number, stepSeconds: number): Promise<Series[]>;
  readonly requests: number;
}

export class PrometheusUnreachableError extends Error {
  override name = 'PrometheusUnreachableError';
}

export class PrometheusQueryError extends Error {
  override name = 'PrometheusQueryError';
}

interface MatrixResponse {
  status: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: {
    resultType: string;
    result: Array<{ metric: Record<string, string>; values?: Array<[number, string]>; value?: [number, string] }>;
  };
}

/** Prometheus writes special floats as strings: "NaN", "+Inf", "-Inf". */
export function parseSample(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable URL)';
  }
}

/** A fetch that trusts only `ca`, with no connection kept between queries. */
function caFetch(ca: string): typeof fetch {
  const dispatcher = new Agent({ connect: { ca }, pipelining: 0 });
  return ((url: URL, init: RequestInit) =>
    undiciFetch(url, { ...(init as UndiciRequestInit), dispatcher })) as unknown as typeof fetch;
}

export class PrometheusClient implements MetricsSource {
  readonly description: string;
  requests = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
    /**
     * bearerToken: sent as `Authorization: Bearer` (a Baseline's spec.data.prometheus.bearerTokenSecretRef), never part of a message.
     * ca: PEM bundle the server's certificate must chain to, instead of the system roots.
     * tenant: sent as X-Scope-OrgID, the tenant header of Mimir, Cortex, Thanos and Loki gateways.
     */
    private readonly options: { bearerToken?: string; ca?: string; tenant?: string } = {},
  ) {
    this.description = `Prometheus at ${withoutCredentials(baseUrl)}${options.tenant ? ` (tenant ${options.tenant})` : ''}`;
    // undici's own fetch: Node's built-in one refuses a dispatcher from the undici package.
    if (options.ca) this.caFetch = caFetch(options.ca);
  }

  private readonly caFetch: typeof fetch | undefined;

  async queryRange(query: string, startSeconds: number, endSeconds: number, stepSeconds: number): Promise<Series[]> {
    const url = new URL('api/v1/query_range', this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    const body = new URLSearchParams({
      query,
      start: String(startSeconds),
      end: String(endSeconds),
      step: String(stepSeconds),
    });
    // Closed after each answer: a check on an interval must not keep sockets to Prometheus open between runs.
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      connection: 'close',
    };
    if (url.username || url.password) {
      headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    if (this.options.bearerToken) headers.authorization = `Bearer ${this.options.bearerToken}`;
    if (this.options.tenant) headers['x-scope-orgid'] = this.options.tenant;
    this.requests++;
    let response: Response;
    try {
      response = await (this.caFetch ?? fetch)(url, {
        method: 'POST',
        body,
        headers,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const reason =
        (err as Error).name === 'TimeoutError'
          ? `no answer within ${this.timeoutMs} ms`
          : (cause?.code ?? cause?.message ?? (err as Error).message);
      throw new PrometheusUnreachableError(`cannot reach ${this.description}: ${reason}`);
    }
    const text = await response.text();
    let parsed: MatrixResponse;
    try {
      parsed = JSON.parse(text) as MatrixResponse;
    } catch {
      throw new PrometheusUnreachableError(
        `${this.description} answered HTTP ${response.status} with something that is not the Prometheus API: ${text.slice(0, 200)}`,
      );
    }
    if (parsed.status !== 'success' || !parsed.data) {
      throw new PrometheusQueryError(
        `${this.description} rejected the query ${JSON.stringify(query)}: ${parsed.errorType ?? 'error'}: ${parsed.error ?? `HTTP ${response.status}`}`,
      );
    }
    return parsed.data.result.map((r) => ({
      labels: r.metric,
      values: (r.values ?? (r.value ? [r.value] : [])).map(([, v]) => parseSample(v)),
    }));
  }
}
