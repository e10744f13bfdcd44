import { jsonEqual } from '../json-equal';
import { DEFAULTS, type DefaultRule } from './defaults';

/** A Kubernetes object as listed: only the fields the comparers read are typed. */
export interface KubeObject {
  apiVersion?: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ kind: string; name: string }>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

type Json = Record<string, unknown>;

/** Set by the API server or by controllers, never by the people who wrote the object. */
const SERVER_SET: Record<string, string[]> = {
  '*': ['status'],
  Deployment: ['spec.template.metadata.creationTimestamp'],
  StatefulSet: [
    'spec.template.metadata.creationTimestamp',
    'spec.volumeClaimTemplates[].status',
    'spec.volumeClaimTemplates[].metadata.creationTimestamp',
    'spec.volumeClaimTemplates[].apiVersion',
    'spec.volumeClaimTemplates[].kind',
  ],
  DaemonSet: ['spec.template.metadata.creationTimestamp'],
  Service: [
    'spec.clusterIP',
    'spec.clusterIPs',
    'spec.ipFamilies',
    'spec.ports[].nodePort',
    'spec.healthCheckNodePort',
  ],
};

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Calls `visit(holder, key)` for every place the dotted path (with `[]` for each element) leads to. */
function visitPath(root: unknown, segments: string[], visit: (holder: Json, key: string) => void): void {
  const [head, ...rest] = segments;
  if (head === undefined || !isObject(root)) return;
  const isEach = head.endsWith('[]');
  const key = isEach ? head.slice(0, -2) : head;
  if (rest.length === 0 && !isEach) {
    if (key in root) visit(root, key);
    return;
  }
  const next = root[key];
  if (isEach) {
    if (!Array.isArray(next)) return;
    for (const element of next) visitPath(element, rest, visit);
  } else {
    visitPath(next, rest, visit);
  }
}

function splitPath(path: string): string[] {
  return path.split('.');
}

export function deleteAt(root: unknown, path: string): void {
  visitPath(root, splitPath(path), (holder, key) => {
    delete holder[key];
  });
}

export function foldDefaults(root: unknown, rules: DefaultRule[]): void {
  for (const rule of rules) {
    visitPath(root, splitPath(rule.path), (holder, key) => {
      const expected = typeof rule.value === 'function' ? rule.value(holder) : rule.value;
      if (jsonEqual(holder[key], expected)) delete holder[key];
    });
  }
}

/**
 * A copy of the object with server-set fields removed and defaulted fields
 * folded away where they equal the default. Normalising twice changes
 * nothing (a property test holds us to it).
 */
export function normalize(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  for (const path of [...(SERVER_SET['*'] ?? []), ...(SERVER_SET[object.kind] ?? [])]) deleteAt(copy, path);
  foldDefaults(copy, DEFAULTS[object.kind] ?? []);
  return copy;
}

export function get(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const segment of splitPath(path)) {
    if (!isObject(current)) return undefined;
    current = current[segment];
  }
  return current;
}
