import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify } from 'yaml';
import { KubeConfig } from './client-node';
import { parseSafeKubeconfig, toKubeConfig, type SafeKubeconfig } from './safe-kubeconfig';

// Throwaway test PKI (EC P-256, generated with openssl for this test only; it protects nothing).
const CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBejCCASGgAwIBAgIUAMvnAg+N6aELbZEflPI+nF8IXMAwCgYIKoZIzj0EAwIw
EjEQMA4GA1UEAwwHdGVzdC1jYTAgFw0yNjEyMDcwMzM5MTJaGA8yMTI2MTExMzAz
MzkxMlowEjEQMA4GA1UEAwwHdGVzdC1jYTBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABIPrUjofXU1VcIGHjHRXsXoEENS/X79JyCL9TPFgBoq2YGfUkRiEtVf92Zpt
QwwxlLD9kXwAefF/sr2CkOa4gWKjUzBRMB0GA1UdDgQWBBQ5ClCDDpzFIXsc/Axb
DeHi4Vg0lTAfBgNVHSMEGDAWgBQ5ClCDDpzFIXsc/AxbDeHi4Vg0lTAPBgNVHRMB
Af8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIGQFR1UVcx0dmbkAwDcJT+s4kr3o
vw6Q8GW1KrxIk9ZRAiApZnsDnpshh4JDuVj+jvhO5dBueBLgd++jY29Qw+gBfQ==
-----END CERTIFICATE-----
`;
const CLIENT_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBIjCByQIUG8J5dDloM+R5EuaTilc0GawvEZwwCgYIKoZIzj0EAwIwEjEQMA4G
A1UEAwwHdGVzdC1jYTAgFw0yNjEyMDcwMzM5MTJaGA8yMTI2MTExMzAzMzkxMlow
FDESMBAGA1UEAwwJdGVzdC11c2VyMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
9tMU7YwqoWPXUcXjOkdw2F8WnAAir9ovUKd+Uqaoin+k+dbt3Q+vCLYLPYwUT78h
6Km/dlA1fm6bbD3Yy9Z9iDAKBggqhkjOPQQDAgNIADBFAiEAmzcjW7qPmoNsaXSe
5P9ITiU2qNw0OrvaHWXsr7yavEYCIE9H4z9KguhLoKrFXC4SW5zFxz50Vl21XZLN
U5IRoHkj
-----END CERTIFICATE-----
`;
const CLIENT_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4QLeKOJLQeV3sFfV
bxRNCZFI3fDNGSe7S8UseH3wbmWhRANCAAT20xTtjCqhY9dRxeM6R3DYXxacACKv
2i9Qp35SpqiKf6T51u3dD68Itgs9jBRPvyHoqb92UDV+bptsPdjL1n2I
-----END PRIVATE KEY-----
`;
const b64 = (text: string) => Buffer.from(text).toString('base64');
const TOKEN = 'tok-SECRET-7f3a9c';
const SOURCE = 'Secret understudy-system/prod-kubeconfig, key config';

type Section = Record<string, unknown>;
/** A kubeconfig with one context "prod" → cluster "prod-cluster", user "prod-admin". */
function kubeconfig(cluster: Section, user: Section, extra: Section = {}): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'prod-cluster', cluster }],
    users: [{ name: 'prod-admin', user }],
    contexts: [{ name: 'prod', context: { cluster: 'prod-cluster', user: 'prod-admin', namespace: 'shop' } }],
    'current-context': 'prod',
    ...extra,
  });
}
const CLUSTER = { server: 'https://prod.example.com:6443', 'certificate-authority-data': b64(CA_PEM) };
const TOKEN_USER = { token: TOKEN };

function accepted(text: string): SafeKubeconfig {
  const result = parseSafeKubeconfig(text, SOURCE);
  if (!result.ok) throw new Error(`expected acceptance, got: ${result.message}`);
  return result.config;
}
function refused(text: string): string {
  const result = parseSafeKubeconfig(text, SOURCE);
  if (result.ok) throw new Error('expected a refusal');
  expect(result.message.startsWith(`${SOURCE}: `)).toBe(true);
  expect(result.message).not.toContain(TOKEN);
  return result.message;
}

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'safe-kubeconfig-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('parseSafeKubeconfig accepts inline credentials', () => {
  it('a token kubeconfig, and the KubeConfig built from it sends the token with the CA', async () => {
    const config = accepted(kubeconfig(CLUSTER, TOKEN_USER));
    expect(config).toMatchObject({
      contextName: 'prod',
      namespace: 'shop',
      cluster: { name: 'prod-cluster', server: 'https://prod.example.com:6443' },
      user: { name: 'prod-admin', token: TOKEN },
    });
    const kc = toKubeConfig(config);
    expect(kc.getCurrentCluster()?.server).toBe('https://prod.example.com:6443');
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('shop');
    const opts: { headers?: Record<string, string>; ca?: Buffer } = {};
    await kc.applyToHTTPSOptions(opts);
    expect(opts.headers?.Authorization).toBe(`Bearer ${TOKEN}`);
    expect(opts.ca?.toString()).toBe(CA_PEM);
  });

  it('a client-certificate kubeconfig, with the certificate and key given to TLS', async () => {
    const user = { 'client-certificate-data': b64(CLIENT_CERT_PEM), 'client-key-data': b64(CLIENT_KEY_PEM) };
    const kc = toKubeConfig(accepted(kubeconfig({ ...CLUSTER, 'tls-server-name': 'kubernetes.default' }, user)));
    const opts: { headers?: Record<string, string>; cert?: Buffer; key?: Buffer; servername?: string } = {};
    await kc.applyToHTTPSOptions(opts);
    expect(opts.cert?.toString()).toBe(CLIENT_CERT_PEM);
    expect(opts.key?.toString()).toBe(CLIENT_KEY_PEM);
    expect(opts.servername).toBe('kubernetes.default');
    expect(opts.headers?.Authorization).toBeUndefined();
  });

  it('basic auth', async () => {
    const kc = toKubeConfig(accepted(kubeconfig(CLUSTER, { username: 'admin', password: 'pw-SECRET' })));
    const init = await kc.applyToFetchOptions({});
    // client-node builds a global Headers; its declared type is node-fetch's HeadersInit.
    expect((init.headers as unknown as Headers).get('Authorization')).toBe(`Basic ${b64('admin:pw-SECRET')}`);
  });

  it('http only to loopback, and client-node then uses a plain http agent', async () => {
    for (const server of ['http://127.0.0.1:8080', 'http://localhost:8001/', 'http://[::1]:6443']) {
      const kc = toKubeConfig(accepted(kubeconfig({ server }, TOKEN_USER)));
      const init = await kc.applyToFetchOptions({});
      expect(init.agent).toBeInstanceOf(http.Agent);
      expect(kc.getCurrentCluster()?.server).toBe(server.replace(/\/$/, ''));
    }
  });

  it('uses the only context when there is no current-context, and drops every other entry', () => {
    const text = stringify({
      clusters: [
        { name: 'a', cluster: { server: 'https://a.example.com' } },
        { name: 'b', cluster: { server: 'https://b.example.com', 'proxy-url': 'http://evil' } },
      ],
      users: [
        { name: 'u', user: TOKEN_USER },
        { name: 'other', user: { exec: { command: 'sh' } } },
      ],
      contexts: [{ name: 'only', context: { cluster: 'a', user: 'u' } }],
    });
    const kc = toKubeConfig(accepted(text));
    expect(kc.getClusters().map((c) => c.name)).toEqual(['a']);
    expect(kc.getUsers()).toEqual([expect.objectContaining({ name: 'u', token: TOKEN })]);
    expect(kc.getUsers()[0]?.exec).toBeUndefined();
  });
});

describe('parseSafeKubeconfig refuses what runs commands or reads files', () => {
  it('exec: refused, and the command never runs (client-node itself would run it)', async () => {
    const marker = join(dir, 'exec-ran');
    const text = kubeconfig(CLUSTER, {
      exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/bin/sh', args: ['-c', `touch ${marker}`] },
    });
    const message = refused(text);
    expect(message).toContain('user "prod-admin" (context "prod"): "exec" is refused');
    expect(message).not.toContain(marker);
    expect(existsSync(marker)).toBe(false);

    // Control: the same text through client-node's own loader does run the command, so the check above can fail.
    const unsafe = new KubeConfig();
    unsafe.loadFromString(text);
    await unsafe.applyToFetchOptions({}).catch(() => undefined);
    expect(existsSync(marker)).toBe(true);
  });

  it('auth-provider with cmd-path: refused, and the command never runs', () => {
    const marker = join(dir, 'cmd-path-ran');
    const message = refused(
      kubeconfig(CLUSTER, {
        'auth-provider': { name: 'gcp', config: { 'cmd-path': '/usr/bin/touch', 'cmd-args': marker } },
      }),
    );
    expect(message).toContain('"auth-provider" is refused');
    expect(message).toContain('prod-admin');
    expect(existsSync(marker)).toBe(false);
  });

  it.each(['tokenFile', 'token-file'])(
    '%s pointing at /etc/passwd: refused without reading or quoting the file',
    (key) => {
      const message = refused(kubeconfig(CLUSTER, { [key]: '/etc/passwd' }));
      expect(message).toContain(`"${key}" is refused: it reads a file`);
      expect(message).not.toContain('/etc/passwd');
      for (const line of readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .filter((l) => l.length > 8))
        expect(message).not.toContain(line);
    },
  );

  it.each([
    ['user', 'client-certificate', '/etc/kubernetes/pki/admin.crt', 'client-certificate-data'],
    ['user', 'client-key', '/etc/kubernetes/pki/admin.key', 'client-key-data'],
    ['user', 'as', 'system:admin', 'impersonation'],
    ['user', 'as-groups', ['system:masters'], 'impersonation'],
    ['user', 'impersonate-user', 'system:admin', 'impersonation'],
    ['cluster', 'certificate-authority', '/etc/kubernetes/pki/ca.crt', 'certificate-authority-data'],
    ['cluster', 'proxy-url', 'http://proxy.example.com:3128', 'proxy'],
    ['cluster', 'insecure-skip-tls-verify', true, 'verification'],
  ])('%s key %s: refused, naming the key and the entry', (section, key, value, hint) => {
    const text =
      section === 'user'
        ? kubeconfig(CLUSTER, { ...TOKEN_USER, [key]: value })
        : kubeconfig({ ...CLUSTER, [key]: value }, TOKEN_USER);
    const message = refused(text);
    expect(message).toContain(`"${key}" is refused`);
    expect(message).toContain(
      section === 'user' ? 'user "prod-admin" (context "prod")' : 'cluster "prod-cluster" (context "prod")',
    );
    expect(message).toContain(hint);
    if (typeof value === 'string') expect(message).not.toContain(value);
  });
});

describe('parseSafeKubeconfig refuses a bad server', () => {
  it('http to a host other than loopback', () => {
    expect(refused(kubeconfig({ server: 'http://prod.example.com:8080' }, TOKEN_USER))).toContain(
      'server must use https',
    );
  });
  it('user info in the URL, without quoting it', () => {
    const message = refused(kubeconfig({ server: 'https://admin:hunter2-SECRET@prod.example.com' }, TOKEN_USER));
    expect(message).toContain('must not contain a user name or password');
    expect(message).not.toContain('hunter2');
  });
  it.each(['https://prod.example.com/?x=1', 'https://prod.example.com/#frag', 'https://prod.example.com?'])(
    'query or fragment: %s',
    (server) => {
      expect(refused(kubeconfig({ server }, TOKEN_USER))).toContain('must not have a query or fragment');
    },
  );
  it.each(['file:///etc/passwd', 'ftp://prod.example.com', 'not a url', 'unix:///var/run/k8s.sock'])(
    'not https: %s',
    (server) => {
      expect(refused(kubeconfig({ server }, TOKEN_USER))).toMatch(
        /server (must be an https URL|is not a URL|must use https)/,
      );
    },
  );
});

describe('parseSafeKubeconfig is strict about shape', () => {
  it('an unknown key under user or cluster, named', () => {
    expect(refused(kubeconfig(CLUSTER, { ...TOKEN_USER, 'token-refresh-cmd': 'x' }))).toContain(
      'unknown key "token-refresh-cmd"',
    );
    expect(refused(kubeconfig({ ...CLUSTER, 'disable-compression': true }, TOKEN_USER))).toContain(
      'cluster "prod-cluster" (context "prod"): unknown key "disable-compression"',
    );
  });

  it('a credential that became a key is not quoted', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJl';
    const message = refused(kubeconfig(CLUSTER, { [jwt]: null }));
    expect(message).toContain(`unknown key (a key of ${jwt.length} characters, not shown)`);
    expect(message).not.toContain(jwt.slice(0, 20));
  });

  it('an own __proto__ key is an unknown key, not a prototype', () => {
    const text = `clusters: [{name: c, cluster: {server: "https://a.example.com"}}]\nusers: [{name: u, user: {token: ${TOKEN}, __proto__: {exec: {command: sh}}}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n`;
    expect(refused(text)).toContain('unknown key "__proto__"');
  });

  it('malformed YAML names the source and does not quote the offending line', () => {
    const message = refused(`users:\n- name: u\n  user: {token: ${TOKEN}\n    : [\n`);
    expect(message).toMatch(
      /^Secret understudy-system\/prod-kubeconfig, key config: is not valid YAML \(\w+ at line \d+, column \d+\)$/,
    );
  });

  it.each([
    ['a list at the top', '- a\n- b\n'],
    ['a scalar at the top', 'just text'],
    ['user is a string', kubeconfig(CLUSTER, 'token' as unknown as Section)],
    ['user is null', kubeconfig(CLUSTER, null as unknown as Section)],
    ['clusters is a mapping', kubeconfig(CLUSTER, TOKEN_USER, { clusters: { 'prod-cluster': CLUSTER } })],
  ])('not a mapping where one is needed: %s', (_name, text) => {
    expect(refused(text)).toMatch(/not a (mapping|list|kubeconfig)/);
  });

  it('names what is missing or ambiguous', () => {
    expect(refused(kubeconfig(CLUSTER, TOKEN_USER, { 'current-context': 'staging' }))).toContain(
      'contexts has no entry named "staging"',
    );
    expect(refused(kubeconfig({ 'certificate-authority-data': b64(CA_PEM) }, TOKEN_USER))).toContain(
      'server is missing',
    );
    const two = stringify({
      clusters: [],
      users: [],
      contexts: [
        { name: 'a', context: {} },
        { name: 'b', context: {} },
      ],
    });
    expect(refused(two)).toContain('ambiguous');
    const duplicate = kubeconfig(CLUSTER, TOKEN_USER, {
      users: [
        { name: 'prod-admin', user: TOKEN_USER },
        { name: 'prod-admin', user: { exec: {} } },
      ],
    });
    expect(refused(duplicate)).toContain('users has 2 entries named "prod-admin"');
  });

  it('credentials that are not what they claim', () => {
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const pair = (cert: string, key: string) =>
      kubeconfig(CLUSTER, { 'client-certificate-data': cert, 'client-key-data': key });
    expect(refused(pair(b64(CLIENT_CERT_PEM), b64(otherKey)))).toContain(
      'client-key-data is not the key of client-certificate-data',
    );
    expect(refused(pair(b64(CLIENT_CERT_PEM), 'not base64!'))).toContain(
      'client-key-data must be base64 of an unencrypted PEM private key',
    );
    expect(refused(pair(b64('hello'), b64(CLIENT_KEY_PEM)))).toContain(
      'client-certificate-data must be base64 of a PEM certificate',
    );
    expect(refused(kubeconfig(CLUSTER, { 'client-certificate-data': b64(CLIENT_CERT_PEM) }))).toContain(
      'must be given together',
    );
    expect(refused(kubeconfig({ ...CLUSTER, 'certificate-authority-data': '/etc/ca.crt' }, TOKEN_USER))).toContain(
      'certificate-authority-data must be base64 of a PEM certificate',
    );
    expect(refused(kubeconfig(CLUSTER, { token: `${TOKEN}\r\nX-Evil: 1` }))).toContain(
      'token must not contain control characters',
    );
    expect(refused(kubeconfig(CLUSTER, { token: TOKEN, username: 'a', password: 'b' }))).toContain(
      'either token or username/password',
    );
  });

  it('an alias bomb is refused rather than expanded', () => {
    // Under preferences, which is allowed and ignored, so only the alias limit can stop it (9^9 strings otherwise).
    const levels = ['  a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `  ${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    expect(refused(`preferences:\n${levels.join('\n')}\n`)).toContain('too many aliases');
  });
});

describe('parseSafeKubeconfig properties', () => {
  const ALLOWED = {
    user: new Set(['token', 'client-certificate-data', 'client-key-data', 'username', 'password']),
    cluster: new Set(['server', 'certificate-authority-data', 'tls-server-name', 'insecure-skip-tls-verify']),
  };
  const dangerous = [
    'exec',
    'auth-provider',
    'tokenFile',
    'token-file',
    'client-certificate',
    'client-key',
    'certificate-authority',
    'proxy-url',
    'as',
    'as-uid',
    'impersonate-user',
    '__proto__',
    'constructor',
    'server',
    'token',
    'insecure-skip-tls-verify',
  ];
  const key = fc.oneof(fc.constantFrom(...dangerous), fc.string({ maxLength: 12 }));
  const extra = fc.dictionary(key, fc.anything({ maxDepth: 2 }), { maxKeys: 4 });

  it('never throws, never accepts a key outside the allow-list, never echoes the token', () => {
    fc.assert(
      fc.property(extra, extra, (userExtra, clusterExtra) => {
        const text = kubeconfig({ ...CLUSTER, ...clusterExtra }, { ...TOKEN_USER, ...userExtra });
        // What actually landed in the document (YAML drops undefined values), read back independently.
        const doc = parseYaml(text) as { users: [{ user: Section }]; clusters: [{ cluster: Section }] };
        const result = parseSafeKubeconfig(text, SOURCE);
        if (result.ok) {
          for (const k of Object.keys(doc.users[0].user)) expect(ALLOWED.user.has(k)).toBe(true);
          for (const k of Object.keys(doc.clusters[0].cluster)) expect(ALLOWED.cluster.has(k)).toBe(true);
          expect(doc.clusters[0].cluster['insecure-skip-tls-verify']).not.toBe(true);
        } else {
          if (doc.users[0].user.token === TOKEN) expect(result.message).not.toContain(TOKEN);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary text or arbitrary YAML', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) =>
        expect(typeof parseSafeKubeconfig(text, SOURCE).ok).toBe('boolean'),
      ),
    );
    fc.assert(
      fc.property(fc.anything(), (value) =>
        expect(typeof parseSafeKubeconfig(stringify(value) ?? '', SOURCE).ok).toBe('boolean'),
      ),
    );
  });
});
