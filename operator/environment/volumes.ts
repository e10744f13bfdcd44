import type { ClaimSpec, ClaimTemplate, PodSpec, Volume } from './k8s-types';
import { clone, isRecord, type KubeObject } from './objects';
import { podSpecOf } from './workloads';

// A copy never touches production's data: claims are fresh and empty, and
// pod volumes that name storage directly (a cloud disk, an NFS export, a
// host path, a CSI driver that may mount production secrets) become emptyDir.

/** Fields of a claim spec that describe what to provision; the rest binds to or clones existing storage. */
const PROVISIONING_FIELDS = ['accessModes', 'resources', 'storageClassName', 'volumeMode', 'volumeAttributesClassName'];

/** Volume sources that reach storage outside the pod without a claim. */
const DIRECT_SOURCES = [
  'hostPath',
  'nfs',
  'iscsi',
  'rbd',
  'cephfs',
  'cinder',
  'fc',
  'flocker',
  'glusterfs',
  'portworxVolume',
  'quobyte',
  'scaleIO',
  'storageos',
  'vsphereVolume',
  'photonPersistentDisk',
  'azureDisk',
  'azureFile',
  'awsElasticBlockStore',
  'gcePersistentDisk',
  'flexVolume',
  'csi',
];

export function freshClaimSpec(spec: ClaimSpec | undefined): ClaimSpec {
  const fresh: ClaimSpec = {};
  for (const field of PROVISIONING_FIELDS) {
    if (spec?.[field] !== undefined) fresh[field] = clone(spec[field]);
  }
  return fresh;
}

/** A PersistentVolumeClaim as a new, empty claim of the same class and size. */
export function freshClaim(claim: KubeObject): KubeObject {
  const copy = clone(claim);
  copy.spec = freshClaimSpec(copy.spec as ClaimSpec | undefined);
  return copy;
}

export interface VolumeResult {
  object: KubeObject;
  warnings: string[];
}

/**
 * Fresh claim templates for StatefulSets and ephemeral volumes, and emptyDir
 * for direct storage and for claims the environment does not have.
 */
export function isolateVolumes(object: KubeObject, claimNames: ReadonlySet<string>): VolumeResult {
  const copy = clone(object);
  const warnings: string[] = [];
  if (copy.kind === 'StatefulSet' && isRecord(copy.spec) && Array.isArray(copy.spec.volumeClaimTemplates)) {
    copy.spec.volumeClaimTemplates = (copy.spec.volumeClaimTemplates as ClaimTemplate[]).map((t) => ({
      ...t,
      spec: freshClaimSpec(t.spec),
    }));
  }
  const podSpec = podSpecOf(copy);
  if (podSpec) warnings.push(...isolatePodVolumes(podSpec, `${copy.kind} ${copy.metadata.name}`, claimNames));
  return { object: copy, warnings };
}

function isolatePodVolumes(spec: PodSpec, owner: string, claimNames: ReadonlySet<string>): string[] {
  const warnings: string[] = [];
  spec.volumes = (spec.volumes ?? []).map((volume): Volume => {
    const direct = DIRECT_SOURCES.find((source) => volume[source] !== undefined);
    if (direct) {
      warnings.push(
        `${owner}: volume ${volume.name} (${direct}) reaches storage outside the environment; it is an emptyDir in the copy`,
      );
      return { name: volume.name, emptyDir: {} };
    }
    const claim = volume.persistentVolumeClaim?.claimName;
    if (claim !== undefined && !claimNames.has(claim)) {
      warnings.push(
        `${owner}: volume ${volume.name} uses claim ${claim}, which is not copied; it is an emptyDir in the copy`,
      );
      return { name: volume.name, emptyDir: {} };
    }
    if (volume.ephemeral?.volumeClaimTemplate) {
      return {
        ...volume,
        ephemeral: {
          volumeClaimTemplate: {
            ...volume.ephemeral.volumeClaimTemplate,
            spec: freshClaimSpec(volume.ephemeral.volumeClaimTemplate.spec),
          },
        },
      };
    }
    return volume;
  });
  if (spec.volumes.length === 0) delete spec.volumes;
  return warnings;
}
