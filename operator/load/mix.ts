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
    return {
      route: routeName(request),
      method: request.method,
      path: at('path', request.path, encodePathValue),
      headers: Object.entries(request.headers ?? {}).map(([key, value]) => [
        key.toLowerCase(),
        at(`headers.${key}`, value),
      ]),
      body: request.body === undefined ? undefined : at('body', request.body),
    };
  });
}

export function renderRequest(request: CompiledRequest, ctx: TemplateContext): RenderedRequest {
  const headers: Record<string, string> = {};
  for (const [key, value] of request.headers) headers[key] = value.render(ctx);
  return {
    route: request.route,
    method: request.method,
    path: request.path.render(ctx),
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
