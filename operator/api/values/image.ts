// Image references as the container runtime reads them:
// [registry[:port]/]path[:tag][@digest]. Only the split between repository
// and tag/digest matters here: an image override replaces the containers
// that run the same repository, whatever their tag.

const REFERENCE =
  /^(?<repository>[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}))?$/;

export interface ImageReference {
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImage(image: string): ImageReference | undefined {
  const groups = REFERENCE.exec(image)?.groups;
  if (!groups?.repository) return undefined;
  return {
    repository: groups.repository,
    ...(groups.tag ? { tag: groups.tag } : {}),
    ...(groups.digest ? { digest: groups.digest } : {}),
  };
}

/** Repository of an image, normalised so that `nginx` and `docker.io/library/nginx` compare equal. */
export function repositoryOf(image: string): string {
  const repository = parseImage(image)?.repository ?? image;
  const first = repository.split('/')[0] ?? '';
  const hasRegistry = repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const path = hasRegistry ? repository : `docker.io/${repository}`;
  return path.startsWith('docker.io/') && path.split('/').length === 2
    ? path.replace('docker.io/', 'docker.io/library/')
    : path;
}
