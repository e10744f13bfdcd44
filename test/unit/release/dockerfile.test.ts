import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The image cannot be built here (no registry); these are the properties a
// reviewer would check by eye, checked on every run instead.
const dockerfile = readFileSync(join(__dirname, '../../../Dockerfile'), 'utf8');
const lines = dockerfile.split('\n');
const args = new Map(
  lines.flatMap((l) => {
    const m = /^ARG (\w+)=(\S+)$/.exec(l);
    return m ? [[m[1]!, m[2]!] as const] : [];
  }),
);
const resolve = (image: string): string => image.replace(/^\$\{(\w+)\}$/, (_, name: string) => args.get(name) ?? image);
const bases = lines
  .filter((l) => l.startsWith('FROM '))
  .map((l) => resolve(l.split(/\s+/).filter((w) => !w.startsWith('--'))[1]!));

describe('Dockerfile', () => {
  it('pins every base image by digest', () => {
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases) expect(base).toMatch(/@sha256:[0-9a-f]{64}$/);
  });

  it('runs on a distroless non-root base with no package manager, as a numeric non-root user', () => {
    expect(bases.at(-1)).toMatch(/^gcr\.io\/distroless\/nodejs\d+-debian\d+:nonroot@/);
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).toMatch(/^USER 65532:65532$/m);
    expect(finalStage).not.toMatch(/^RUN /m);
    expect(finalStage).toMatch(/^ENTRYPOINT \["\/nodejs\/bin\/node", "\/app\/bin\/understudy\.js"\]$/m);
  });

  it('carries the pulumi engine of the same version as the @pulumi/pulumi package, where the infrastructure controller looks for it', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(args.get('PULUMI_VERSION')).toBe(`v${pkg.dependencies['@pulumi/pulumi']}`);
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).toMatch(/^COPY --from=engine \/engine\/bin \/opt\/pulumi\/bin$/m);
    expect(finalStage).toMatch(/^ENV UNDERSTUDY_PULUMI_ROOT=\/opt\/pulumi$/m);
    expect(readFileSync(join(__dirname, '../../../.dockerignore'), 'utf8')).toMatch(
      /^!test\/cluster\/build-pulumi\.sh$/m,
    );
  });

  it('carries the OCI labels a registry and a scanner read', () => {
    for (const label of ['title', 'description', 'licenses', 'version', 'revision', 'created', 'source']) {
      expect(dockerfile).toContain(`org.opencontainers.image.${label}=`);
    }
  });
});
