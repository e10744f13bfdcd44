import { X509Certificate, createPrivateKey } from 'node:crypto';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { KubeConfig } from './client-node';

// A kubeconfig read from a Secret is written by whoever can write that Secret,
// and client-node's loadFromString obeys all of it: `exec` and an
// auth-provider's `cmd-path` run commands, `tokenFile` and the
// certificate/key paths read files, `proxy-url` reroutes traffic. All of that
// would happen inside the operator, with the operator's service account. So a
// kubeconfig from a Secret is parsed here instead, against an allow-list of
// inline values, and only what passed is handed to client-node.
//
// Messages name keys, entry names and the source, never values: a token, key
// or password must not reach a status condition or a log. For the same reason
// YAML errors are reported by position only (the yaml package quotes the
// offending line, which may hold a credential).

/** Produced only by parseSafeKubeconfig, so toKubeConfig never sees a hand-built object. */
declare const checked: unique symbol;

export interface SafeCluster {
  readonly name: string;
  /** Scheme, host, port and path only; https, or http to a loopback address. */
  readonly server: string;
  /** Base64 of a PEM CA bundle, as in the kubeconfig. */
  readonly certificateAuthorityData?: string;
  readonly tlsServerName?: string;
}

export interface SafeUser {
  readonly name: string;
  readonly token?: string;
  readonly basic?: { readonly username: string; readonly password: string };
  /** Base64 PEM of a certificate and its private key, as in the kubeconfig. */
  readonly clientCertificate?: { readonly certificateData: string; readonly keyData: string };
}

export interface SafeKubeconfig {
  readonly [checked]: true;
  readonly contextName: string;
  readonly namespace?: string;
  readonly cluster: SafeCluster;
  readonly user: SafeUser;
}

export type SafeKubeconfigResult = { ok: true; config: SafeKubeconfig } | { ok: false; message: string };

/** Secrets are capped at 1 MiB; anything longer is not a kubeconfig from one. */
const MAX_TEXT = 1024 * 1024;

const CLUSTER_KEYS = ['server', 'certificate-authority-data', 'tls-server-name', 'insecure-skip-tls-verify'] as const;
const USER_KEYS = ['token', 'client-certificate-data', 'client-key-data', 'username', 'password'] as const;
const CONTEXT_KEYS = ['cluster', 'user', 'namespace'] as const;
const TOP_KEYS = [
  'apiVersion',
  'kind',
  'clusters',
  'users',
  'contexts',
  'current-context',
  'preferences',
  'extensions',
] as const;

/** Keys that are refused with their reason, so the admin learns what to change instead of just "unknown". */
function refusal(section: 'cluster' | 'user', key: string, value: unknown): string | undefined {
  if (section === 'user') {
    if (key === 'exec')
      return 'runs a command inside the operator; put an inline token or client certificate in the kubeconfig instead';
    if (key === 'auth-provider')
      return 'can run a command (cmd-path) or read files inside the operator; put an inline token instead';
    if (key === 'tokenFile' || key === 'token-file')
      return 'reads a file inside the operator; put the token inline as token';
    if (key === 'client-certificate') return 'is a file path; put the certificate inline as client-certificate-data';
    if (key === 'client-key') return 'is a file path; put the key inline as client-key-data';
    if (key === 'as' || key.startsWith('as-') || key.startsWith('impersonate'))
      return 'asks for impersonation, which is not supported; give the kubeconfig the identity to use directly';
    return undefined;
  }
  if (key === 'certificate-authority') return 'is a file path; put the CA inline as certificate-authority-data';
  if (key === 'proxy-url') return "would send the operator's requests through a proxy, which is not supported";
  if (key === 'insecure-skip-tls-verify' && value === true)
    return 'turns off verification of the server certificate; set certificate-authority-data instead';
  return undefined;
}

const problem = (message: string) => ({ message });

/** base64 → PEM text, or undefined when it is not strict base64 of a PEM block. */
function pemOf(data: string): string | undefined {
  const compact = data.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  const text = Buffer.from(compact, 'base64').toString('utf8');
  return text.includes('-----BEGIN ') ? text : undefined;
}

function certificateOf(data: string): X509Certificate | undefined {
  const pem = pemOf(data);
  if (!pem) return undefined;
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

const base64Certificate = (key: string) =>
  z.string().refine((v) => certificateOf(v) !== undefined, problem(`${key} must be base64 of a PEM certificate`));

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The canonical server URL, or why the server is refused. The URL itself is never quoted: it might carry a password. */
function checkServer(raw: string): { ok: true; server: string } | { ok: false; message: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, message: 'server is not a URL' };
  }
  if (url.username !== '' || url.password !== '')
    return {
      ok: false,
      message: 'server must not contain a user name or password; use token or client-certificate-data',
    };
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#'))
    return { ok: false, message: 'server must not have a query or fragment' };
  if (url.protocol === 'http:') {
    if (!LOOPBACK.has(url.hostname))
      return {
        ok: false,
        message: `server must use https (http is allowed only to 127.0.0.1, localhost or [::1], not ${url.hostname.slice(0, 253)})`,
      };
  } else if (url.protocol !== 'https:') {
    return { ok: false, message: 'server must be an https URL' };
  }
  if (url.hostname === '') return { ok: false, message: 'server has no host' };
  return { ok: true, server: `${url.origin}${url.pathname}`.replace(/\/+$/, '') };
}

const ClusterSchema = z.strictObject({
  server: z.string().min(1),
  'certificate-authority-data': base64Certificate('certificate-authority-data').optional(),
  'tls-server-name': z
    .string()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$/, problem('tls-server-name must be a host name'))
    .optional(),
  'insecure-skip-tls-verify': z.literal(false, problem('insecure-skip-tls-verify may only be false')).optional(),
});

// Header values: a token or basic credential with a line break could add headers of its own.
const headerSafe = (key: string) =>
  z
    .string()
    .min(1)
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    .regex(/^[^\u0000-\u001f\u007f]*$/, problem(`${key} must not contain control characters`));

const UserSchema = z
  .strictObject({
    token: headerSafe('token').optional(),
    'client-certificate-data': base64Certificate('client-certificate-data').optional(),
    'client-key-data': z.string().optional(),
    username: headerSafe('username').optional(),
    password: headerSafe('password').optional(),
  })
  .superRefine((user, ctx) => {
    const add = (message: string) => ctx.addIssue({ code: 'custom', message });
    if ((user['client-certificate-data'] === undefined) !== (user['client-key-data'] === undefined))
      add('client-certificate-data and client-key-data must be given together');
    if ((user.username === undefined) !== (user.password === undefined))
      add('username and password must be given together');
    if (user.token !== undefined && user.username !== undefined)
      add('give either token or username/password, not both');
    const keyData = user['client-key-data'];
    if (keyData === undefined) return;
    const pem = pemOf(keyData);
    let key: ReturnType<typeof createPrivateKey> | undefined;
    try {
      key = pem ? createPrivateKey(pem) : undefined;
    } catch {
      key = undefined;
    }
    if (!key) return add('client-key-data must be base64 of an unencrypted PEM private key');
    const certificate =
      user['client-certificate-data'] === undefined ? undefined : certificateOf(user['client-certificate-data']);
    if (certificate && !certificate.checkPrivateKey(key))
      add('client-key-data is not the key of client-certificate-data');
  });

const ContextSchema = z.strictObject({
  cluster: z.string().min(1),
  user: z.string().min(1),
  namespace: z
    .string()
    .max(63)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, problem('namespace must be a namespace name'))
    .optional(),
});

/** An entry name as it appears in a message: quoted, one line, bounded. */
function quoted(name: unknown): string {
  const text = typeof name === 'string' ? name : String(name);
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}

/**
 * A key as it appears in a message. A malformed kubeconfig can turn a credential
 * into a key (`user: {eyJhbGci...}`), so only short identifier-like keys are quoted.
 */
function keyLabel(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.-]{0,39}$/.test(key)
    ? JSON.stringify(key)
    : `(a key of ${key.length} characters, not shown)`;
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** zod's own messages can echo values ("expected false, received …" style); ours name the key and the expectation only. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.map(String).join('.');
  const at = key ? `${key} ` : '';
  switch (issue.code) {
    case 'custom':
      return issue.message;
    case 'invalid_type':
      return issue.input === undefined ? `${at}is missing` : `${at}must be a ${issue.expected}`;
    case 'unrecognized_keys':
      return `unknown key ${issue.keys.map(keyLabel).join(', ')}`;
    case 'invalid_value':
      return issue.message.includes(' may ') ? issue.message : `${at}is not valid`;
    case 'too_small':
      return `${at}must not be empty`;
    case 'invalid_format':
      return issue.message.includes(' must ') ? issue.message : `${at}is not valid`;
    default:
      return `${at}is not valid`;
  }
}

type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Refused keys first (with their reason), then unknown keys against the allow-list, then the schema. */
function checkSection<T>(
  where: string,
  section: 'cluster' | 'user' | 'context',
  body: unknown,
  allowed: readonly string[],
  schema: z.ZodType<T>,
): Checked<T> {
  if (!isMapping(body)) return { ok: false, message: `${where} is not a mapping` };
  const keys = Object.keys(body);
  if (section !== 'context') {
    for (const key of keys) {
      const reason = refusal(section, key, body[key]);
      if (reason) return { ok: false, message: `${where}: ${keyLabel(key)} is refused: it ${reason}` };
    }
  }
  const unknown = keys.filter((key) => !allowed.includes(key));
  if (unknown.length > 0)
    return {
      ok: false,
      message: `${where}: unknown key ${unknown.slice(0, 5).map(keyLabel).join(', ')} (allowed: ${allowed.join(', ')})`,
    };
  // reportInput only lets describeIssue tell a missing key from a wrong one; inputs are never printed.
  const parsed = schema.safeParse(body, { reportInput: true });
  if (!parsed.success)
    return { ok: false, message: `${where}: ${parsed.error.issues.slice(0, 3).map(describeIssue).join('; ')}` };
  return { ok: true, value: parsed.data };
}

/** The one entry of `list` (clusters, users or contexts) with this name, and its body. */
function entryNamed(list: unknown, listKey: string, bodyKey: string, name: string): Checked<unknown> {
  if (!Array.isArray(list))
    return { ok: false, message: `${listKey} is ${list === undefined ? 'missing' : 'not a list'}` };
  const found: unknown[] = [];
  for (const [i, entry] of list.entries()) {
    if (!isMapping(entry)) return { ok: false, message: `${listKey}[${i}] is not a mapping` };
    if (typeof entry.name !== 'string')
      return {
        ok: false,
        message: `${listKey}[${i}].name is ${entry.name === undefined ? 'missing' : 'not a string'}`,
      };
    const extra = Object.keys(entry).filter((key) => key !== 'name' && key !== bodyKey);
    if (extra.length > 0)
      return {
        ok: false,
        message: `${listKey}[${i}] (${quoted(entry.name)}): unknown key ${extra.slice(0, 5).map(keyLabel).join(', ')}`,
      };
    if (entry.name === name) found.push(entry[bodyKey]);
  }
  if (found.length === 0) return { ok: false, message: `${listKey} has no entry named ${quoted(name)}` };
  if (found.length > 1) return { ok: false, message: `${listKey} has ${found.length} entries named ${quoted(name)}` };
  return { ok: true, value: found[0] };
}

function parseYamlMapping(text: string): Checked<Record<string, unknown>> {
  if (text.length > MAX_TEXT) return { ok: false, message: `is longer than ${MAX_TEXT} characters` };
  let doc: ReturnType<typeof parseDocument>;
  try {
    // uniqueKeys: a duplicated key must not let one copy be checked and another used.
    doc = parseDocument(text, { uniqueKeys: true, logLevel: 'silent' });
  } catch {
    return { ok: false, message: 'is not valid YAML' };
  }
  const error = doc.errors[0];
  // error.message quotes the source line, which may hold a credential: only its code and position are used.
  if (error) {
    const at = error.linePos?.[0];
    return {
      ok: false,
      message: `is not valid YAML (${error.code}${at ? ` at line ${at.line}, column ${at.col}` : ''})`,
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch {
    return { ok: false, message: 'is not valid YAML (too many aliases or an unresolvable alias)' };
  }
  if (!isMapping(value)) return { ok: false, message: 'is not a kubeconfig: the document is not a mapping' };
  return { ok: true, value };
}

/**
 * Parses a kubeconfig from an untrusted source, accepting only inline
 * credentials and a verified https server (see the file comment). `source`
 * labels every message, e.g. `Secret understudy-system/prod, key config`.
 * Never throws.
 */
export function parseSafeKubeconfig(text: string, source: string): SafeKubeconfigResult {
  const fail = (message: string): SafeKubeconfigResult => ({ ok: false, message: `${source}: ${message}` });
  try {
    if (typeof text !== 'string') return fail('is not text');
    const top = parseYamlMapping(text);
    if (!top.ok) return fail(top.message);
    const root = top.value;
    const unknownTop = Object.keys(root).filter((key) => !(TOP_KEYS as readonly string[]).includes(key));
    if (unknownTop.length > 0)
      return fail(
        `unknown top-level key ${unknownTop.slice(0, 5).map(keyLabel).join(', ')} (allowed: ${TOP_KEYS.join(', ')})`,
      );
    if (root.kind !== undefined && root.kind !== 'Config') return fail('kind must be Config');
    if (root.apiVersion !== undefined && root.apiVersion !== 'v1') return fail('apiVersion must be v1');

    const current = root['current-context'];
    if (current !== undefined && current !== null && typeof current !== 'string')
      return fail('current-context must be a string');
    let contextName: string;
    if (typeof current === 'string' && current !== '') {
      contextName = current;
    } else {
      const contexts = root.contexts;
      if (!Array.isArray(contexts) || contexts.length !== 1)
        return fail('has no current-context and not exactly one context, so which one to use is ambiguous');
      const only: unknown = contexts[0];
      if (!isMapping(only) || typeof only.name !== 'string') return fail('contexts[0] is not a mapping with a name');
      contextName = only.name;
    }

    const contextEntry = entryNamed(root.contexts, 'contexts', 'context', contextName);
    if (!contextEntry.ok) return fail(contextEntry.message);
    const context = checkSection(
      `context ${quoted(contextName)}`,
      'context',
      contextEntry.value,
      CONTEXT_KEYS,
      ContextSchema,
    );
    if (!context.ok) return fail(context.message);

    const { cluster: clusterName, user: userName, namespace } = context.value;
    const clusterEntry = entryNamed(root.clusters, 'clusters', 'cluster', clusterName);
    if (!clusterEntry.ok) return fail(`context ${quoted(contextName)}: ${clusterEntry.message}`);
    const clusterWhere = `cluster ${quoted(clusterName)} (context ${quoted(contextName)})`;
    const cluster = checkSection(clusterWhere, 'cluster', clusterEntry.value, CLUSTER_KEYS, ClusterSchema);
    if (!cluster.ok) return fail(cluster.message);
    const server = checkServer(cluster.value.server);
    if (!server.ok) return fail(`${clusterWhere}: ${server.message}`);

    const userEntry = entryNamed(root.users, 'users', 'user', userName);
    if (!userEntry.ok) return fail(`context ${quoted(contextName)}: ${userEntry.message}`);
    const user = checkSection(
      `user ${quoted(userName)} (context ${quoted(contextName)})`,
      'user',
      userEntry.value,
      USER_KEYS,
      UserSchema,
    );
    if (!user.ok) return fail(user.message);

    const u = user.value;
    const c = cluster.value;
    const config = {
      contextName,
      ...(namespace !== undefined && { namespace }),
      cluster: {
        name: clusterName,
        server: server.server,
        ...(c['certificate-authority-data'] !== undefined && {
          certificateAuthorityData: c['certificate-authority-data'].replace(/\s+/g, ''),
        }),
        ...(c['tls-server-name'] !== undefined && { tlsServerName: c['tls-server-name'] }),
      },
      user: {
        name: userName,
        ...(u.token !== undefined && { token: u.token }),
        ...(u.username !== undefined &&
          u.password !== undefined && { basic: { username: u.username, password: u.password } }),
        ...(u['client-certificate-data'] !== undefined &&
          u['client-key-data'] !== undefined && {
            clientCertificate: {
              certificateData: u['client-certificate-data'].replace(/\s+/g, ''),
              keyData: u['client-key-data'].replace(/\s+/g, ''),
            },
          }),
      },
    };
    // The brand exists only in the type system; this is the one place it is granted.
    return { ok: true, config: config as SafeKubeconfig };
  } catch {
    // Every path above returns a result; this only keeps "never throws" true if a dependency surprises us.
    return fail('could not be read as a kubeconfig');
  }
}

/**
 * A client-node KubeConfig holding exactly the accepted fields of `config`:
 * one cluster, one user, one context, and nothing client-node could turn into
 * a command, a file read or a proxy.
 */
export function toKubeConfig(config: SafeKubeconfig): KubeConfig {
  const { cluster, user } = config;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name: cluster.name,
        server: cluster.server,
        caData: cluster.certificateAuthorityData,
        tlsServerName: cluster.tlsServerName,
        // client-node refuses an http server unless this is set; there is no TLS to skip on
        // plain http, and parseSafeKubeconfig allows http only to loopback.
        skipTLSVerify: cluster.server.startsWith('http:'),
      },
    ],
    users: [
      {
        name: user.name,
        token: user.token,
        username: user.basic?.username,
        password: user.basic?.password,
        certData: user.clientCertificate?.certificateData,
        keyData: user.clientCertificate?.keyData,
      },
    ],
    contexts: [{ name: config.contextName, cluster: cluster.name, user: user.name, namespace: config.namespace }],
    currentContext: config.contextName,
  });
  return kubeConfig;
}
