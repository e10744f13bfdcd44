import { parseAllDocuments } from 'yaml';
import { isKubeObject, isRecord, type KubeObject } from './objects';

// Rendered manifests (`helm template`, `kustomize build`) as a baseline:
// multi-document YAML, possibly with `kind: List` wrappers and empty
// documents between separators.

export class ManifestError extends Error {
  override name = 'ManifestError';
  constructor(
    /** 1-based position of the document in the stream. */
    readonly documentIndex: number,
    message: string,
  ) {
    super(`document ${documentIndex}: ${message}`);
  }
}

export function parseManifests(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  parseAllDocuments(text).forEach((document, i) => {
    const index = i + 1;
    const error = document.errors[0];
    if (error) throw new ManifestError(index, `invalid YAML: ${error.message.split('\n')[0]}`);
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    for (const object of flattenList(value, index)) objects.push(object);
  });
  return objects;
}

function flattenList(value: unknown, index: number): KubeObject[] {
  if (isRecord(value) && typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
    return value.items.map((item, i) => checkObject(item, index, `items[${i}]`));
  }
  return [checkObject(value, index, undefined)];
}

function checkObject(value: unknown, index: number, where: string | undefined): KubeObject {
  const at = where ? `${where}: ` : '';
  if (!isRecord(value))
    throw new ManifestError(
      index,
      `${at}expected a Kubernetes object, found ${Array.isArray(value) ? 'a list' : typeof value}`,
    );
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '')
    throw new ManifestError(index, `${at}missing apiVersion`);
  if (typeof value.kind !== 'string' || value.kind === '') throw new ManifestError(index, `${at}missing kind`);
  if (!isRecord(value.metadata) || typeof value.metadata.name !== 'string' || value.metadata.name === '') {
    throw new ManifestError(index, `${at}${value.kind} without metadata.name`);
  }
  if (!isKubeObject(value)) throw new ManifestError(index, `${at}not a Kubernetes object`);
  return value;
}

/**
 * The manifests a ConfigMap holds (spec.baseline.manifests.configMapRef):
 * one key, or every key in key order. A missing key names the field.
 */
export function manifestsFromConfigMap(configMap: KubeObject, key: string | undefined): KubeObject[] {
  const data = isRecord(configMap.data) ? configMap.data : {};
  if (key !== undefined && typeof data[key] !== 'string') {
    throw new ManifestSourceError(
      'spec.baseline.manifests.configMapRef.key',
      `ConfigMap ${configMap.metadata.name} has no key ${key}`,
    );
  }
  const keys = key !== undefined ? [key] : Object.keys(data).sort();
  if (keys.length === 0)
    throw new ManifestSourceError(
      'spec.baseline.manifests.configMapRef.name',
      `ConfigMap ${configMap.metadata.name} holds no manifests`,
    );
  return keys.flatMap((k) => {
    try {
      return parseManifests(String(data[k]));
    } catch (error) {
      if (error instanceof ManifestError)
        throw new ManifestSourceError(
          'spec.baseline.manifests.configMapRef',
          `ConfigMap ${configMap.metadata.name}, key ${k}, ${error.message}`,
        );
      throw error;
    }
  });
}

/** The manifests cannot be read; `field` names the part of the spec to look at. */
export class ManifestSourceError extends Error {
  override name = 'ManifestSourceError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
