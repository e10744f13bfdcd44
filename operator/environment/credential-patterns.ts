// Where production values that look like credentials sit inside plain text
// (a ConfigMap value, a file in one, an env value). Detection answers spans,
// never values, so that callers can replace exactly the secret part: a
// connection URL keeps its scheme, host and database, and only its password
// changes, so the preview still points somewhere sensible.
//
// Decisions (see the tests):
// - A key NAME says secret when it contains PASSWORD, PASSWD, PASSPHRASE,
//   SECRET, TOKEN, API_KEY, PRIVATE_KEY (or ENCRYPTION/SIGNING/MASTER/HMAC_KEY,
//   or a PWD component), unless it is about the secret rather than the secret:
//   its last part is a qualifier (PASSWORD_POLICY, TOKEN_TTL, SECRET_NAME,
//   POSTGRES_PASSWORD_FILE, TOKEN_URL) or its first part counts (MAX_TOKENS).
// - A value under such a name is left alone when it is empty, a placeholder
//   (`$(VAR)`, `${VAR}`, `{{ x }}`, `<x>`, `changeme`, `xxxx`, true/false) or an
//   absolute file path: replacing those breaks the app and protects nothing.
// - A URL is a credential only with a password (`scheme://user:pw@host`,
//   `redis://:pw@host`); a user alone (`ssh://git@host`) is an account name.
// - Well-known token formats are credentials wherever they appear, whatever
//   the name. Stripe test keys (`sk_test_`) are not production values and stay.

export type FindingKind = 'url-password' | 'token' | 'private-key' | 'named';

export interface Finding {
  start: number;
  end: number;
  kind: FindingKind;
}

const TOKEN_PATTERNS: readonly RegExp[] = [
  /\b(?:sk|rk)_live_[0-9A-Za-z]{10,}/g, // Stripe secret and restricted keys
  /\bwhsec_[0-9A-Za-z]{20,}/g, // Stripe webhook signing secret
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Za-z])/g, // AWS access key id
  /\bgh[opsur]_[0-9A-Za-z]{30,}/g, // GitHub tokens
  /\bgithub_pat_[0-9A-Za-z_]{22,}/g,
  /\bglpat-[0-9A-Za-z_-]{20,}/g, // GitLab
  /\bnpm_[0-9A-Za-z]{36}(?![0-9A-Za-z])/g,
  /\bxox[abpre]-[0-9A-Za-z-]{10,}/g, // Slack
  /(?<=hooks\.slack\.com\/services\/)T[0-9A-Za-z_]+\/B[0-9A-Za-z_]+\/[0-9A-Za-z_]+/g, // Slack webhook path
  /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g, // Google API key
  /\bSG\.[0-9A-Za-z_-]{16,}\.[0-9A-Za-z_-]{16,}/g, // SendGrid
  /\bsk-(?:proj-|ant-[a-z0-9]+-)?[0-9A-Za-z_-]{20,}/g, // OpenAI, Anthropic
  /\beyJ[0-9A-Za-z_-]{4,}\.eyJ[0-9A-Za-z_-]{4,}\.[0-9A-Za-z_-]*/g, // JWT (signature may be empty)
];

const PRIVATE_KEY =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|$)/g;

const AWS_KEY_ID = /\b(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Za-z])/;
/** An AWS secret access key, recognised only next to an access key id: 40 characters of base64 with both cases. */
const AWS_SECRET =
  /(?<![0-9A-Za-z/+=])(?=[0-9A-Za-z/+]*[a-z])(?=[0-9A-Za-z/+]*[A-Z])[0-9A-Za-z/+]{40}(?![0-9A-Za-z/+=])/g;

/** `password=…` in query strings, JDBC URLs, ADO.NET and Azure connection strings, `-Ddb.password=…` flags. */
const SECRET_PARAMETER =
  /(?<![0-9A-Za-z])(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|access[_-]?token|client[_-]?secret|account[_-]?key|shared[_-]?access[_-]?key|sig)\s*=\s*([^&;\s"'`<>\\]+)/gi;

// The lookbehind starts a scheme only where a run of scheme characters starts, so a long run costs one pass, not its square.
const URL_START = /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\//gi;
const AUTHORITY_END = /[\s/?#"'`<>\\]/;

const SECRET_WORD =
  /PASSW(?:OR)?D|PASSPHRASE|SECRET|TOKEN(?!IZ)|API_?KEY|PRIVATE_?KEY|(?:ENCRYPTION|SIGNING|MASTER|HMAC)_?KEY/;
const QUALIFIERS = new Set([
  'POLICY',
  'POLICIES',
  'LENGTH',
  'LEN',
  'MIN',
  'MAX',
  'COUNT',
  'LIMIT',
  'SIZE',
  'TTL',
  'EXPIRY',
  'EXPIRES',
  'EXPIRATION',
  'LIFETIME',
  'TIMEOUT',
  'AGE',
  'INTERVAL',
  'DURATION',
  'SECONDS',
  'MINUTES',
  'HOURS',
  'DAYS',
  'MS',
  'NAME',
  'NAMES',
  'REF',
  'FILE',
  'FILES',
  'PATH',
  'DIR',
  'LOCATION',
  'URL',
  'URI',
  'ENDPOINT',
  'HOST',
  'PORT',
  'HEADER',
  'FIELD',
  'PARAM',
  'TYPE',
  'KIND',
  'FORMAT',
  'ALGORITHM',
  'ALG',
  'ISSUER',
  'AUDIENCE',
  'ENABLED',
  'DISABLED',
  'REQUIRED',
  'ROTATION',
  'ROUNDS',
  'PREFIX',
  'VERSION',
  'MODE',
  'STRATEGY',
  'PROVIDER',
  'STORE',
  'BACKEND',
  'MOUNT',
  'SOURCE',
]);
const COUNTING = new Set(['MAX', 'MIN', 'NUM', 'NUMBER', 'COUNT']);

const PLACEHOLDER_WORDS = new Set([
  'changeme',
  'change-me',
  'change_me',
  'password',
  'secret',
  'token',
  'redacted',
  'placeholder',
  'example',
  'dummy',
  'none',
  'null',
  'nil',
  'undefined',
  'todo',
  'fixme',
  'tbd',
  'n/a',
  'default',
  'true',
  'false',
  'yes',
  'no',
  'on',
  'off',
  'enabled',
  'disabled',
]);
const PLACEHOLDER_FORMS: readonly RegExp[] = [
  /^\$\([^()]*\)$/, // Kubernetes $(VAR)
  /^\$\{[^{}]*\}$/, // shell, Spring ${VAR}
  /^\$[A-Za-z_][A-Za-z0-9_]*$/,
  /^\{\{.*\}\}$/, // templates
  /^%\([^()]*\)s$/,
  /^#\{[^{}]*\}$/,
  /^<[^<>]*>$/,
  /^(.)\1*$/, // xxxx, ****
  /^your[-_ ]/i,
];
const ABSOLUTE_PATH = /^\/(?:[\w.@-]+\/)*[\w.@-]*$/;

/** Normalises `dbPassword`, `db.password`, `x-api-key` to `DB_PASSWORD`, `DB_PASSWORD`, `X_API_KEY`. */
export function normalizeName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Whether a key or variable name says its value is a secret. */
export function isSecretName(name: string): boolean {
  const normalized = normalizeName(name);
  const parts = normalized.split('_');
  const secret = SECRET_WORD.test(normalized) || (parts.includes('PWD') && parts.length > 1);
  if (!secret) return false;
  return !QUALIFIERS.has(parts[parts.length - 1] ?? '') && !COUNTING.has(parts[0] ?? '');
}

/** Values that stand for a secret rather than being one. */
export function isPlaceholder(value: string): boolean {
  const trimmed = value.trim();
  if (trimmed === '' || PLACEHOLDER_WORDS.has(trimmed.toLowerCase())) return true;
  return PLACEHOLDER_FORMS.some((form) => form.test(trimmed));
}

/** A value under a secret name that is a secret: not empty, not a placeholder, not a file path. */
export function isNamedSecretValue(value: string): boolean {
  return !isPlaceholder(value) && !ABSOLUTE_PATH.test(value.trim());
}

export function hasAwsKeyId(text: string): boolean {
  return AWS_KEY_ID.test(text);
}

/**
 * Credentials inside free text: URL passwords, token formats, private keys,
 * `password=` parameters, and AWS secret keys when `awsContext` (or the text itself) has an access key id.
 */
export function findCredentials(text: string, awsContext = false): Finding[] {
  const findings: Finding[] = [...urlPasswords(text)];
  for (const pattern of TOKEN_PATTERNS) for (const match of text.matchAll(pattern)) findings.push(span(match, 'token'));
  for (const match of text.matchAll(PRIVATE_KEY)) findings.push(span(match, 'private-key'));
  for (const match of text.matchAll(SECRET_PARAMETER)) {
    const value = match[1] ?? '';
    if (!isNamedSecretValue(value)) continue;
    const end = (match.index ?? 0) + match[0].length;
    findings.push({ start: end - value.length, end, kind: 'named' });
  }
  if (awsContext || hasAwsKeyId(text))
    for (const match of text.matchAll(AWS_SECRET)) findings.push(span(match, 'token'));
  return merge(findings);
}

/** Passwords in the userinfo of URLs; placeholders such as `$(DB_PASSWORD)` are references, not values. */
function urlPasswords(text: string): Finding[] {
  const findings: Finding[] = [];
  for (const match of text.matchAll(URL_START)) {
    const authorityStart = (match.index ?? 0) + match[0].length;
    const rest = text.slice(authorityStart);
    const endOffset = rest.search(AUTHORITY_END);
    const authority = endOffset === -1 ? rest : rest.slice(0, endOffset);
    const at = authority.lastIndexOf('@');
    if (at === -1) continue;
    const colon = authority.slice(0, at).indexOf(':');
    if (colon === -1) continue;
    const password = authority.slice(colon + 1, at);
    if (password === '' || isPlaceholder(password)) continue;
    findings.push({ start: authorityStart + colon + 1, end: authorityStart + at, kind: 'url-password' });
  }
  return findings;
}

const LINE_PAIR = /^(\s*(?:-\s+)?(?:export\s+)?)([A-Za-z_][A-Za-z0-9_.-]*)(\s*(?:=|:(?=\s|$))\s*)(.*)$/;
const JSON_PAIR = /"([^"\\\n]{1,200})"\s*:\s*"((?:[^"\\\n]|\\.)*)"/g;

/**
 * Credentials in a file kept in a ConfigMap or a structured env value (properties, YAML, JSON, .env, INI, TOML):
 * everything findCredentials finds, plus the value of each `key=value`, `key: value` or `"key": "value"` whose key is a secret name.
 */
export function findCredentialsInFile(text: string, awsContext = false): Finding[] {
  const findings = findCredentials(text, awsContext);
  for (const match of text.matchAll(JSON_PAIR)) {
    const [whole, key = '', value = ''] = match;
    if (!isSecretName(key) || !isNamedSecretValue(value)) continue;
    const end = (match.index ?? 0) + whole.length - 1;
    findings.push({ start: end - value.length, end, kind: 'named' });
  }
  let offset = 0;
  for (const line of text.split('\n')) {
    const pair = namedLineValue(line);
    if (pair) findings.push({ start: offset + pair.start, end: offset + pair.end, kind: 'named' });
    offset += line.length + 1;
  }
  return merge(findings);
}

/** The span of the value on a `key = value` / `key: value` line whose key is a secret name. */
function namedLineValue(line: string): { start: number; end: number } | undefined {
  const match = LINE_PAIR.exec(line.replace(/\r$/, ''));
  if (!match) return undefined;
  const [, lead = '', key = '', separator = '', raw = ''] = match;
  if (!isSecretName(key)) return undefined;
  let start = lead.length + key.length + separator.length;
  const close = raw[0] === '"' || raw[0] === "'" ? closingQuote(raw) : -1;
  let value: string;
  if (close > 0) {
    value = raw.slice(1, close);
    start += 1;
  } else {
    value = withoutTrailer(raw);
  }
  // Nested YAML, block scalars, anchors and JSON objects: their own lines are judged on their own.
  if (/^[{[|>&*]/.test(value) || !isNamedSecretValue(value)) return undefined;
  return { start, end: start + value.length };
}

/** An unquoted value without its trailing comment (` # ...`) and comma; no regex, so long lines stay linear. */
function withoutTrailer(raw: string): string {
  const comment = raw.search(/\s#/);
  let value = (comment === -1 ? raw : raw.slice(0, comment)).trimEnd();
  if (value.endsWith(',')) value = value.slice(0, -1).trimEnd();
  return value;
}

/** Index of the quote that closes the one `text` starts with (backslash escapes skipped in double quotes), or -1. */
function closingQuote(text: string): number {
  const quote = text[0];
  for (let i = 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

function span(match: RegExpMatchArray, kind: FindingKind): Finding {
  const start = match.index ?? 0;
  return { start, end: start + match[0].length, kind };
}

/** Sorted, non-overlapping; where spans overlap the union is kept, with the kind of the longer. */
function merge(findings: Finding[]): Finding[] {
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Finding[] = [];
  for (const finding of sorted) {
    const last = merged[merged.length - 1];
    if (last && finding.start < last.end) {
      const kind = finding.end - finding.start > last.end - last.start ? finding.kind : last.kind;
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, finding.end), kind };
    } else {
      merged.push(finding);
    }
  }
  return merged;
}
