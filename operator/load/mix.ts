import type { LoadRequest } from '../api/load-scenario';
import { type Template, type TemplateContext, TemplateError, compileTemplate } from './template';

/** One request of the mix, compiled: rendering it costs only the placeholders. */
export interface CompiledRequest {
  route: string;
  method: string;
  path: Template;
  headers: Array<[string, Template]>;
  body: Template | undefined;
}

export interface RenderedRequest {
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export function routeName(request: Pick<LoadRequest, 'name' | 'method' | 'path'>): string {
  return request.name ?? `${request.method} ${request.path}`;
}

// Path templates substitute URL-encoded values, but keep / so a value can be a sub-path.
const encodePathValue = (value: string): string => encodeURIComponent(value).replace(/%2F/gi, '/');

// What the HTTP client refuses in a header value (anything but tab, visible ASCII and Latin-1): a value substituted
// into a header has those percent-encoded, so a value holding CR LF can neither inject a header nor fail the request.
const HEADER_VALUE_REFUSED = /[^\t\x20-\x7e\x80-\xff]/g;
const encodeHeaderValue = (value: string): string => value.replace(HEADER_VALUE_REFUSED, (c) => encodeURIComponent(c));

/**
 * Headers the client owns: the Host (another virtual host of a gateway can be another service, even production's
 * through a shared one) and the connection-level ones, which the client refuses or which would desynchronise it.
 */
const RESERVED_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
  'proxy-connection',
]);

const PLACEHOLDER = /\{\{.*?\}\}/g;

/** Literal text of a path template must be a request target as written on the wire: visible ASCII, no space. */
function checkPath(path: string): void {
  // Placeholders become as many harmless characters, so positions stay those of the template.
  const literal = path.replace(PLACEHOLDER, (m) => 'x'.repeat(m.length));
  const bad = /[^!-~]/.exec(literal);
  if (bad)
    throw new TemplateError(
      `character ${JSON.stringify(bad[0])} at position ${bad.index} is not allowed in a request path (percent-encode it, e.g. %20 for a space)`,
    );
  if (path.startsWith('//'))
    throw new TemplateError('must not start with // (URL parsers read //host/... as another host)');
}

function checkHeader(name: string, value: string): void {
  if (RESERVED_HEADERS.has(name.toLowerCase()))
    throw new TemplateError(
      `${name} is set by the client, not the test (requests go only to the target's own service)`,
    );
  const literal = value.replace(PLACEHOLDER, '');
  const bad = new RegExp(HEADER_VALUE_REFUSED.source).exec(literal);
  if (bad) throw new TemplateError(`character ${JSON.stringify(bad[0])} is not allowed in a header value`);
}

/** Compiles the mix; a template error names the field, e.g. `requests[2].path: ...`. */
export function compileMix(
  requests: readonly LoadRequest[],
  valueNames: readonly string[],
  field = 'requests',
): CompiledRequest[] {
  return requests.map((request, i) => {
    const at = (name: string, source: string, encode?: (value: string) => string): Template => {
      try {
        return compileTemplate(source, { valueNames, ...(encode ? { encode } : {}) });
      } catch (err) {
        if (err instanceof TemplateError) throw new TemplateError(`${field}[${i}].${name}: ${err.message}`);
        throw err;
      }
    };
    const check = (name: string, run: () => void): void => {
      try {
        run();
      } catch (err) {
        if (err instanceof TemplateError) throw new TemplateError(`${field}[${i}].${name}: ${err.message}`);
        throw err;
      }
    };
    check('path', () => checkPath(request.path));
    for (const [key, value] of Object.entries(request.headers ?? {}))
      check(`headers.${key}`, () => checkHeader(key, value));
    return {
      route: routeName(request),
      method: request.method,
      path: at('path', request.path, encodePathValue),
      headers: Object.entries(request.headers ?? {}).map(([key, value]) => [
        key.toLowerCase(),
        at(`headers.${key}`, value, encodeHeaderValue),
      ]),
      body: request.body === undefined ? undefined : at('body', request.body),
    };
  });
}

/** `/{{value v}}` with a value starting with / would render //host/...: the path stays one on this target. */
function singleLeadingSlash(path: string): string {
  return path.charCodeAt(1) === 47 ? path.replace(/^\/+/, '/') : path;
}

export function renderRequest(request: CompiledRequest, ctx: TemplateContext): RenderedRequest {
  const headers: Record<string, string> = {};
  for (const [key, value] of request.headers) headers[key] = value.render(ctx);
  return {
    route: request.route,
    method: request.method,
    path: singleLeadingSlash(request.path.render(ctx)),
    headers,
    body: request.body?.render(ctx),
  };
}

/**
 * Draws indices by weight: u in [0, 1) maps to the request whose cumulative
 * share covers it, so the mix converges to the weights exactly.
 */
export class WeightedPicker {
  private readonly bounds: number[];

  constructor(weights: readonly number[]) {
    if (weights.length === 0) throw new Error('a mix needs at least one request');
    const total = weights.reduce((sum, w) => sum + w, 0);
    let running = 0;
    this.bounds = weights.map((w) => (running += w) / total);
  }

  pick(u: number): number {
    const bounds = this.bounds;
    let low = 0;
    let high = bounds.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (u < (bounds[mid] as number)) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}
