import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Certificates for the loopback control plane, made with the openssl CLI:
// one CA signs the serving certificate and every client identity, which is
// how kubeadm lays out a cluster's PKI.

export interface ClientIdentity {
  name: string;
  commonName: string;
  organization?: string;
}

export const IDENTITIES: ClientIdentity[] = [
  { name: 'admin', commonName: 'understudy-admin', organization: 'system:masters' },
  { name: 'controller-manager', commonName: 'system:kube-controller-manager' },
  { name: 'scheduler', commonName: 'system:kube-scheduler' },
  { name: 'kwok', commonName: 'kwok-controller', organization: 'system:masters' },
];

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

export function ensurePki(dir: string): void {
  mkdirSync(dir, { recursive: true });
  if (existsSync(join(dir, '.complete'))) return;
  openssl(['genrsa', '-out', 'ca.key', '2048'], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-nodes',
      '-key',
      'ca.key',
      '-subj',
      '/CN=understudy-test-ca',
      '-days',
      '3650',
      '-out',
      'ca.crt',
    ],
    dir,
  );
  writeFileSync(
    join(dir, 'apiserver.ext'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
    ].join('\n'),
  );
  signed(dir, 'apiserver', '/CN=kube-apiserver', 'apiserver.ext');
  writeFileSync(
    join(dir, 'client.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
  );
  for (const id of IDENTITIES) {
    const subject = `/CN=${id.commonName}` + (id.organization ? `/O=${id.organization}` : '');
    signed(dir, id.name, subject, 'client.ext');
  }
  openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  writeFileSync(join(dir, '.complete'), '');
}

function signed(dir: string, name: string, subject: string, extFile: string): void {
  openssl(['genrsa', '-out', `${name}.key`, '2048'], dir);
  openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '3650',
      '-extfile',
      extFile,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}

/** A kubeconfig with embedded credentials, so it works from any directory. */
export function kubeconfigYaml(pkiDir: string, identity: string, server: string): string {
  const b64 = (file: string) => execFileSync('base64', ['-w0', join(pkiDir, file)]).toString();
  return `apiVersion: v1
kind: Config
clusters:
- name: understudy-test
  cluster:
    server: ${server}
    certificate-authority-data: ${b64('ca.crt')}
users:
- name: ${identity}
  user:
    client-certificate-data: ${b64(`${identity}.crt`)}
    client-key-data: ${b64(`${identity}.key`)}
contexts:
- name: understudy-test
  context:
    cluster: understudy-test
    user: ${identity}
current-context: understudy-test
`;
}
