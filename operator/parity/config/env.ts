import type { KubeObject } from './normalize';
import type { NamespaceSnapshot } from './snapshot';
import { objectsOf } from './snapshot';

/** What a container sees in one environment variable, with references resolved. */
export interface ResolvedEnv {
  /** The value, or a keyed hash for Secret values, or a description of a reference that cannot be resolved here. */
  text: string;
  secret: boolean;
  /** Where the value came from, for messages: "value", "ConfigMap/app-config", "Secret/db", "fieldRef". */
  source: string;
}

type Json = Record<string, unknown>;

function asRecord(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function dataOf(object: KubeObject | undefined): Record<string, string> {
  return asRecord(object?.data) as Record<string, string>;
}

function fromConfigMap(snapshot: NamespaceSnapshot, name: string, key: string): ResolvedEnv {
  const value = dataOf(objectsOf(snapshot, 'ConfigMap').get(name))[key];
  return { text: value ?? `<ConfigMap ${name} has no key ${key}>`, secret: false, source: `ConfigMap/${name}` };
}

function fromSecret(snapshot: NamespaceSnapshot, name: string, key: string): ResolvedEnv {
  const value = dataOf(objectsOf(snapshot, 'Secret').get(name))[key];
  return { text: value ?? `<Secret ${name} has no key ${key}>`, secret: value !== undefined, source: `Secret/${name}` };
}

function resolveOne(entry: Json, snapshot: NamespaceSnapshot): ResolvedEnv {
  if (typeof entry.value === 'string') return { text: entry.value, secret: false, source: 'value' };
  const from = asRecord(entry.valueFrom);
  const configMapKey = asRecord(from.configMapKeyRef);
  if (typeof configMapKey.name === 'string' && typeof configMapKey.key === 'string')
    return fromConfigMap(snapshot, configMapKey.name, configMapKey.key);
  const secretKey = asRecord(from.secretKeyRef);
  if (typeof secretKey.name === 'string' && typeof secretKey.key === 'string')
    return fromSecret(snapshot, secretKey.name, secretKey.key);
  const fieldRef = asRecord(from.fieldRef);
  if (typeof fieldRef.fieldPath === 'string')
    return { text: `<fieldRef ${fieldRef.fieldPath}>`, secret: false, source: 'fieldRef' };
  const resourceRef = asRecord(from.resourceFieldRef);
  if (typeof resourceRef.resource === 'string') {
    return {
      text: `<resourceFieldRef ${resourceRef.resource}${typeof resourceRef.divisor === 'string' || typeof resourceRef.divisor === 'number' ? ` / ${resourceRef.divisor}` : ''}>`,
      secret: false,
      source: 'resourceFieldRef',
    };
  }
  return { text: '', secret: false, source: 'value' };
}

/**
 * The environment a container starts with: envFrom first, then env, later
 * entries winning, as the kubelet builds it.
 */
export function resolveEnv(container: Json, snapshot: NamespaceSnapshot): Map<string, ResolvedEnv> {
  const env = new Map<string, ResolvedEnv>();
  for (const source of Array.isArray(container.envFrom) ? container.envFrom : []) {
    const from = asRecord(source);
    const prefix = typeof from.prefix === 'string' ? from.prefix : '';
    const configMap = asRecord(from.configMapRef);
    const secret = asRecord(from.secretRef);
    if (typeof configMap.name === 'string') {
      const name = configMap.name;
      for (const key of Object.keys(dataOf(objectsOf(snapshot, 'ConfigMap').get(name))))
        env.set(prefix + key, fromConfigMap(snapshot, name, key));
    } else if (typeof secret.name === 'string') {
      const name = secret.name;
      for (const key of Object.keys(dataOf(objectsOf(snapshot, 'Secret').get(name))))
        env.set(prefix + key, fromSecret(snapshot, name, key));
    }
  }
  for (const entry of Array.isArray(container.env) ? container.env : []) {
    const e = asRecord(entry);
    if (typeof e.name === 'string') env.set(e.name, resolveOne(e, snapshot));
  }
  return env;
}
