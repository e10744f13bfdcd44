import fetch, { type Response } from 'node-fetch';
import type { KubeConfig, KubernetesObject } from './client-node';
import { KubeApiError, apiErrorFromResponse } from './kube-errors';
import { type ResourceInfo, ResourcePaths } from './resource-paths';
import type { ObjectRef } from './object-ref';
import { type WatchEvent, readWatchStream } from './watch-stream';
import { errorMessage } from './error-message';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'apply' | 'delete';
export const VERBS: readonly Verb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'apply', 'delete'];
export type RequestCounts = Record<Verb, number>;

export type { ObjectRef };

/** Every call takes a signal: aborting it abandons the request (a stopping informer, a lease given up). */
export interface RequestOptions {
  signal?: AbortSignal;
}

export interface ListOptions extends RequestOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; the client follows `continue` tokens until the list is complete. */
  pageSize?: number;
}

export interface ObjectList<T> {
  items: T[];
  resourceVersion: string;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  /** Abort when no byte arrives for this long (a half-open connection looks like a quiet watch). */
  idleTimeoutMs?: number;
  /** Abort when the response headers have not arrived after this long; the client's watchHeadersTimeoutMs by default. */
  headersTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface PatchOptions extends RequestOptions {
  subresource?: 'status' | 'scale';
  fieldManager?: string;
}

export interface ApplyOptions extends PatchOptions {
  force?: boolean;
}

export interface DeleteOptions extends RequestOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type JsonPatchOp =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

export interface KubeClientOptions {
  /** Field manager for apply and the default for other writes. */
  fieldManager?: string;
  /** Timeout of one non-watch request. */
  requestTimeoutMs?: number;
  /**
   * How long a watch may wait for its response headers. A connection the
   * server accepted but never answers would otherwise hang the informer: the
   * idle timeout only starts once the stream is open.
   */
  watchHeadersTimeoutMs?: number;
  /** Called after every request (rest_client_* metrics): method, status code or "<error>", host, seconds. */
  observe?: (o: { method: string; code: string; host: string; seconds?: number }) => void;
}

interface RequestSpec {
  verb: Verb | 'discovery';
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal | undefined;
}

/**
 * A thin client over the Kubernetes REST API, authenticated by client-node's
 * KubeConfig. Requests go through node-fetch directly so that every verb is
 * counted, the apply-patch content type is always right (client-node's typed
 * patch calls answer 415 without it, kubernetes-client/javascript#862) and
 * errors keep the server's message.
 */
export class KubeClient {
  readonly fieldManager: string;
  private readonly counts: RequestCounts = Object.fromEntries(VERBS.map((v) => [v, 0])) as RequestCounts;
  private readonly paths: ResourcePaths;
  private readonly server: string;
  private readonly requestTimeoutMs: number;
  private readonly watchHeadersTimeoutMs: number;
  private readonly observe: KubeClientOptions['observe'];
  private readonly host: string;

  constructor(
    readonly kubeConfig: KubeConfig,
    options: KubeClientOptions = {},
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = cluster.server.replace(/\/+$/, '');
    this.fieldManager = options.fieldManager ?? 'understudy';
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.watchHeadersTimeoutMs = options.watchHeadersTimeoutMs ?? 30_000;
    this.observe = options.observe;
    this.host = new URL(this.server).host;
    this.paths = new ResourcePaths((path) => this.request({ verb: 'discovery', method: 'GET', path }));
  }

  /** A snapshot of how many requests were sent, by verb. */
  requestCounts(): RequestCounts {
    return { ...this.counts };
  }

  resourceInfo(apiVersion: string, kind: string): Promise<ResourceInfo> {
    return this.paths.resolve(apiVersion, kind);
  }

  async get<T extends KubernetesObject>(ref: ObjectRef, options: RequestOptions = {}): Promise<T | undefined> {
    const path = await this.paths.objectPath(ref);
    try {
      return await this.request<T>({ verb: 'get', method: 'GET', path, signal: options.signal });
    } catch (err) {
      if (err instanceof KubeApiError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  async list<T extends KubernetesObject>(
    apiVersion: string,
    kind: string,
    options: ListOptions = {},
  ): Promise<ObjectList<T>> {
    const path = await this.paths.collectionPath(apiVersion, kind, options.namespace);
    const items: T[] = [];
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.request<{ items?: T[]; metadata?: { resourceVersion?: string; continue?: string } }>({
        verb: 'list',
        method: 'GET',
        path,
        signal: options.signal,
        query: {
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          limit: options.pageSize ?? 500,
          continue: continueToken,
        },
      });
      // List items come without apiVersion and kind; the cache and handlers expect them.
      for (const item of page.items ?? []) items.push({ ...item, apiVersion, kind });
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken);
    return { items, resourceVersion };
  }

  /** `dryRun`: admission runs (PodSecurity included) and nothing is stored. */
  async create<T extends KubernetesObject>(
    obj: T,
    options: RequestOptions & { fieldManager?: string; dryRun?: boolean } = {},
  ): Promise<T> {
    const ref = refOf(obj);
    const path = await this.paths.collectionPath(ref.apiVersion, ref.kind, ref.namespace);
    return this.request<T>({
      verb: 'create',
      method: 'POST',
      path,
      body: obj,
      signal: options.signal,
      query: { fieldManager: options.fieldManager ?? this.fieldManager, dryRun: options.dryRun ? 'All' : undefined },
    });
  }

  /**
   * POST of a review (SelfSubjectReview, SelfSubjectAccessReview): nothing is
   * stored, so the object has no name and takes no field manager (the server
   * refuses both).
   */
  async review<T extends KubernetesObject>(
    obj: { apiVersion: string; kind: string; spec?: unknown },
    options: RequestOptions = {},
  ): Promise<T> {
    const path = await this.paths.collectionPath(obj.apiVersion, obj.kind);
    return this.request<T>({ verb: 'create', method: 'POST', path, body: obj, signal: options.signal, query: {} });
  }

  /** PUT: optimistic concurrency through metadata.resourceVersion (409 when stale). */
  async replace<T extends KubernetesObject>(obj: T, options: PatchOptions = {}): Promise<T> {
    const path = await this.paths.objectPath(refOf(obj), options.subresource);
    return this.request<T>({
      verb: 'update',
      method: 'PUT',
      path,
      body: obj,
      signal: options.signal,
      query: { fieldManager: options.fieldManager ?? this.fieldManager },
    });
  }

  /** Server-side apply: the object states every field this manager owns; `force` takes fields from other managers. */
  async apply<T extends KubernetesObject>(obj: T, options: ApplyOptions = {}): Promise<T> {
    const path = await this.paths.objectPath(refOf(obj), options.subresource);
    return this.request<T>({
      verb: 'apply',
      method: 'PATCH',
      path,
      body: obj,
      contentType: 'application/apply-patch+yaml',
      signal: options.signal,
      query: { fieldManager: options.fieldManager ?? this.fieldManager, force: options.force ? true : undefined },
    });
  }

  async mergePatch<T extends KubernetesObject>(ref: ObjectRef, patch: unknown, options: PatchOptions = {}): Promise<T> {
    const path = await this.paths.objectPath(ref, options.subresource);
    return this.request<T>({
      verb: 'patch',
      method: 'PATCH',
      path,
      body: patch,
      contentType: 'application/merge-patch+json',
      signal: options.signal,
      query: { fieldManager: options.fieldManager ?? this.fieldManager },
    });
  }

  async jsonPatch<T extends KubernetesObject>(
    ref: ObjectRef,
    ops: JsonPatchOp[],
    options: PatchOptions = {},
  ): Promise<T> {
    const path = await this.paths.objectPath(ref, options.subresource);
    return this.request<T>({
      verb: 'patch',
      method: 'PATCH',
      path,
      body: ops,
      contentType: 'application/json-patch+json',
      signal: options.signal,
      query: { fieldManager: options.fieldManager ?? this.fieldManager },
    });
  }

  /** A merge patch of the status subresource (e.g. `{ status: {...} }`); spec changes in it are ignored by the server. */
  patchStatus<T extends KubernetesObject>(
    ref: ObjectRef,
    patch: unknown,
    options: RequestOptions & { fieldManager?: string } = {},
  ): Promise<T> {
    return this.mergePatch<T>(ref, patch, { ...options, subresource: 'status' });
  }

  /** Deletes the object; false when it was already gone. */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    const path = await this.paths.objectPath(ref);
    const { signal, ...deleteOptions } = options;
    try {
      await this.request({
        verb: 'delete',
        method: 'DELETE',
        path,
        body: { kind: 'DeleteOptions', apiVersion: 'v1', ...deleteOptions },
        signal,
      });
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.statusCode === 404) return false;
      throw err;
    }
  }

  /**
   * Opens one watch and feeds its events to `onEvent` until the server ends the
   * stream (resolves) or it fails (rejects). An ERROR event rejects with a
   * KubeApiError carrying the event's code, so 410 Gone looks the same whether
   * it came as an HTTP status or inside the stream.
   */
  async watch(
    apiVersion: string,
    kind: string,
    options: WatchOptions,
    onEvent: (event: WatchEvent) => void,
  ): Promise<void> {
    const path = await this.paths.collectionPath(apiVersion, kind, options.namespace);
    const url = this.url(path, {
      watch: true,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      resourceVersion: options.resourceVersion,
      allowWatchBookmarks: options.allowWatchBookmarks ? true : undefined,
      timeoutSeconds: options.timeoutSeconds,
    });
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal;
    this.counts.watch++;
    const init = await this.kubeConfig.applyToFetchOptions({});
    const headersTimeoutMs = options.headersTimeoutMs ?? this.watchHeadersTimeoutMs;
    let headersTimedOut = false;
    const headersTimer = setTimeout(() => {
      headersTimedOut = true;
      controller.abort();
    }, headersTimeoutMs);
    let response: Response;
    try {
      response = await fetch(url, { ...init, headers: plainHeaders(init.headers), method: 'GET', signal: signal });
    } catch (err) {
      if (headersTimedOut)
        throw new KubeApiError(
          `GET ${path}: no response headers within ${headersTimeoutMs} ms`,
          0,
          'HeadersTimeout',
          undefined,
          { cause: err },
        );
      throw transportError('GET', path, err);
    } finally {
      clearTimeout(headersTimer);
    }
    // A watch is counted, not timed: it lasts as long as the server keeps it open.
    this.observe?.({ method: 'GET', code: String(response.status), host: this.host });
    if (response.status !== 200) {
      throw apiErrorFromResponse('GET', path, response.status, await response.text().catch(() => ''));
    }
    try {
      await readWatchStream(response.body, onEvent, {
        idleTimeoutMs: options.idleTimeoutMs,
        abort: () => controller.abort(),
        signal: options.signal,
      });
    } catch (err) {
      if (err instanceof KubeApiError) throw err;
      throw transportError('GET watch', path, err);
    } finally {
      controller.abort();
    }
  }

  private url(path: string, query: RequestSpec['query'] = {}): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const qs = params.toString();
    return `${this.server}${path}${qs ? `?${qs}` : ''}`;
  }

  private async request<T>(spec: RequestSpec): Promise<T> {
    if (spec.verb !== 'discovery') this.counts[spec.verb]++;
    const init = await this.kubeConfig.applyToFetchOptions({});
    const headers = plainHeaders(init.headers);
    headers.Accept = 'application/json';
    if (spec.body !== undefined) headers['Content-Type'] = spec.contentType ?? 'application/json';
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const requestSignal = spec.signal ? AbortSignal.any([timeout, spec.signal]) : timeout;
    let response: Response;
    const started = performance.now();
    const observe = (code: string) =>
      this.observe?.({ method: spec.method, code, host: this.host, seconds: (performance.now() - started) / 1000 });
    try {
      response = await fetch(this.url(spec.path, spec.query), {
        ...init,
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: requestSignal,
      });
    } catch (err) {
      observe('<error>');
      throw transportError(spec.method, spec.path, err);
    }
    observe(String(response.status));
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw transportError(spec.method, spec.path, err);
    }
    if (!response.ok) throw apiErrorFromResponse(spec.method, spec.path, response.status, text);
    return (text ? JSON.parse(text) : {}) as T;
  }
}

/** client-node hands back a WHATWG Headers object (its auth lives there); spreading it would silently drop the token. */
function plainHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers && typeof (headers as { forEach?: unknown }).forEach === 'function') {
    (headers as { forEach(cb: (value: string, key: string) => void): void }).forEach(
      (value, key) => (out[key] = value),
    );
  } else if (headers && typeof headers === 'object') {
    for (const [key, value] of Object.entries(headers as Record<string, unknown>))
      if (typeof value === 'string') out[key] = value;
  }
  return out;
}

function transportError(method: string, path: string, err: unknown): KubeApiError {
  const message = errorMessage(err);
  return new KubeApiError(`${method} ${path}: ${message}`, 0, 'TransportError', undefined, { cause: err });
}

/** The address of an object, read from its own fields; names the missing field. */
export function refOf(obj: KubernetesObject): ObjectRef {
  if (!obj.apiVersion) throw new Error('object has no apiVersion');
  if (!obj.kind) throw new Error('object has no kind');
  if (!obj.metadata?.name) throw new Error(`${obj.kind} has no metadata.name`);
  return { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace };
}

export type { WatchEvent } from './watch-stream';
