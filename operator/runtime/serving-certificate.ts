import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from './logger';
import { selfSignedCertificate, type ServingCertificate } from './self-signed-cert';

/**
 * The metrics server's certificate: tls.crt and tls.key from `certDir` (a
 * mounted Secret, as cert-manager writes it) when given, otherwise a
 * self-signed one for this host, made at start and never written to disk.
 */
export function servingCertificate(certDir: string | undefined, bindHost: string, logger: Logger): ServingCertificate {
  if (certDir) {
    const certPath = join(certDir, 'tls.crt');
    const keyPath = join(certDir, 'tls.key');
    if (!existsSync(certPath) || !existsSync(keyPath))
      throw new Error(`--metrics-cert-dir: ${certDir} must hold tls.crt and tls.key`);
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  }
  const hosts = [
    'localhost',
    '127.0.0.1',
    '::1',
    hostname(),
    ...(['0.0.0.0', '::', ''].includes(bindHost) ? [] : [bindHost]),
  ];
  logger.info({ hosts }, 'metrics served with a self-signed certificate (set --metrics-cert-dir to use your own)');
  return selfSignedCertificate([...new Set(hosts)]);
}
