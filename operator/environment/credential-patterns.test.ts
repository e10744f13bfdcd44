import fc from 'fast-check';
import {
  findCredentials,
  findCredentialsInFile,
  isPlaceholder,
  isSecretName,
  normalizeName,
  type Finding,
} from './credential-patterns';

/** The substrings found, which is what a test can read at a glance. */
const found = (text: string, aws = false): string[] =>
  findCredentials(text, aws).map((f) => text.slice(f.start, f.end));
const foundInFile = (text: string): string[] => findCredentialsInFile(text).map((f) => text.slice(f.start, f.end));

describe('URLs with a password', () => {
  it.each([
    ['redis://:pw-123@redis.shop.svc:6379/0', 'pw-123'],
    ['postgres://shop:hunter2@postgres.shop.svc:5432/shop?sslmode=require', 'hunter2'],
    ['amqp://guest:rabbit-pass@rabbitmq:5672/', 'rabbit-pass'],
    ['mongodb+srv://app:s3cr%40t@cluster0.x.mongodb.net/db', 's3cr%40t'],
    ['jdbc:postgresql://u:jdbc-pw@h:5432/db', 'jdbc-pw'],
    ['postgres://u:p@ss@h/db', 'p@ss'],
    ['see "https://bot:gh-pass@git.example.com/x.git" for the mirror', 'gh-pass'],
  ])('%s → %s', (text, password) => {
    expect(found(text)).toEqual([password]);
    expect(findCredentials(text)[0]?.kind).toBe('url-password');
  });

  it.each([
    ['http://example.com'],
    ['https://example.com/path?q=1#frag'],
    ['postgres://host/db'],
    ['postgres://user@host/db'],
    ['ssh://git@github.com:22/org/repo.git'],
    ['http://host:8080/path@x'],
    ['postgres://u:$(DB_PASSWORD)@h/db'],
    ['postgres://u:${DB_PASSWORD}@h/db'],
    ['redis://:@h:6379'],
    ['mailto:someone@example.com'],
  ])('not %s', (text) => {
    expect(found(text)).toEqual([]);
  });
});

describe('well-known key formats', () => {
  const fill = (n: number, chars = 'aB3dE5gH7jK9mN1pQ2rS4tU6vW8xY0z'): string =>
    Array.from({ length: n }, (_, i) => chars[i % chars.length]).join('');
  it.each([
    ['Stripe secret key', `sk_live_${fill(24)}`],
    ['Stripe restricted key', `rk_live_${fill(24)}`],
    ['Stripe webhook secret', `whsec_${fill(32)}`],
    ['AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['AWS temporary key id', 'ASIAIOSFODNN7EXAMPLE'],
    ['GitHub personal token', `ghp_${fill(36)}`],
    ['GitHub OAuth token', `gho_${fill(36)}`],
    ['GitHub app token', `ghs_${fill(36)}`],
    ['GitHub fine-grained token', `github_pat_11ABCDEFG0_${fill(59)}`],
    ['GitLab token', `glpat-${fill(20)}`],
    ['Slack bot token', 'xoxb-1234567890-1234567890-abcdefABCDEF'],
    ['Slack user token', 'xoxp-1234567890-abcdef'],
    ['Google API key', `AIza${fill(35)}`],
    ['SendGrid key', `SG.${fill(22)}.${fill(43)}`],
    ['OpenAI key', `sk-proj-${fill(40)}`],
    ['JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
    ['unsigned JWT', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'],
  ])('%s', (_, token) => {
    expect(found(`KEY ${token} end`)).toEqual([token]);
  });

  it('Slack webhook URLs lose their secret path only', () => {
    expect(found('https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX')).toEqual([
      'T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX',
    ]);
  });

  it('private keys, whole, including one without its END line', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----';
    expect(found(`before\n${pem}\nafter`)).toEqual([pem]);
    expect(found('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk')).toEqual([
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk',
    ]);
    expect(found('-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----')).toHaveLength(1);
  });

  it.each([
    ['a Stripe test key', 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'],
    ['a short AKIA word', 'AKIA1234'],
    ['a short ghp_', 'ghp_abc'],
    ['an unknown Slack prefix', 'xoxz-1234567890-abcdef'],
    ['a short AIza', 'AIzaShort'],
    ['SG. in prose', 'SG.com is a site'],
    ['one JWT segment', 'eyJhbGciOiJIUzI1NiJ9'],
    ['a public key', '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----'],
    ['a certificate', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
    ['a word containing sk-', 'disk-usage-threshold-percentage-for-alerts'],
  ])('not %s', (_, text) => {
    expect(found(text)).toEqual([]);
  });
});

describe('AWS secret access keys', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

  it('are found next to an access key id, in the same text or the same context', () => {
    expect(found(`aws_access_key_id=AKIAIOSFODNN7EXAMPLE\nkey ${secret}`)).toEqual(['AKIAIOSFODNN7EXAMPLE', secret]);
    expect(found(secret, true)).toEqual([secret]);
  });

  it('are not guessed without an access key id, and a hex digest is not one', () => {
    expect(found(secret)).toEqual([]);
    expect(found('da39a3ee5e6b4b0d3255bfef95601890afd80709', true)).toEqual([]);
  });
});

describe('password parameters', () => {
  it.each([
    ['jdbc:postgresql://h:5432/db?user=u&password=jdbc-pw&ssl=true', 'jdbc-pw'],
    ['Server=db;Database=shop;User Id=u;Password=p4ss-word;', 'p4ss-word'],
    [
      'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc123def456==;EndpointSuffix=core.windows.net',
      'abc123def456==',
    ],
    ['-Xmx512m -Ddb.password=javaopt-pw -Dother=1', 'javaopt-pw'],
    ['https://x.blob.core.windows.net/c?sv=2020&sig=signaturevalue123', 'signaturevalue123'],
    ['https://api.example.com/hook?token=tok-123', 'tok-123'],
  ])('%s', (text, value) => {
    expect(found(text)).toEqual([value]);
  });

  it.each([
    ['https://api.example.com/hook?token=$(TOKEN)'],
    ['PASSWORD_POLICY=strict'],
    ['PWD=/app'],
    ['password=changeme'],
    ['keyword=password'],
  ])('not %s', (text) => {
    expect(found(text)).toEqual([]);
  });
});

describe('isSecretName', () => {
  it.each([
    'DB_PASSWORD',
    'dbPassword',
    'spring.datasource.password',
    'POSTGRES_PASSWD',
    'STRIPE_API_KEY',
    'apiKey',
    'x-api-key',
    'JWT_SECRET',
    'SECRET_KEY_BASE',
    'client_secret',
    'GITHUB_TOKEN',
    'accessToken',
    'PRIVATE_KEY',
    'MYSQL_PWD',
    'ENCRYPTION_KEY',
    'GPG_PASSPHRASE',
    'VAULT_SECRET_ID',
  ])('%s says secret', (name) => expect(isSecretName(name)).toBe(true));

  // About a secret, not one: changing these would break the app and protect nothing.
  it.each([
    'PASSWORD_POLICY',
    'PASSWORD_MIN_LENGTH',
    'TOKEN_TTL',
    'TOKEN_EXPIRY_SECONDS',
    'SECRET_NAME',
    'POSTGRES_PASSWORD_FILE',
    'TOKEN_URL',
    'OAUTH_TOKEN_ENDPOINT',
    'API_KEY_HEADER',
    'MAX_TOKENS',
    'TOKENIZER_PATH',
    'PWD',
    'LOG_LEVEL',
    'DATABASE_URL',
    'AWS_ACCESS_KEY_ID',
    'BCRYPT_PASSWORD_ROUNDS',
  ])('%s does not', (name) => expect(isSecretName(name)).toBe(false));

  it('normalises the spellings of a name', () => {
    expect(['dbPassword', 'db.password', 'db-password', 'DB__PASSWORD_'].map(normalizeName)).toEqual([
      'DB_PASSWORD',
      'DB_PASSWORD',
      'DB_PASSWORD',
      'DB_PASSWORD',
    ]);
  });
});

describe('isPlaceholder', () => {
  it.each([
    '',
    '  ',
    '$(DB_PASSWORD)',
    '${DB_PASSWORD}',
    '$DB_PASSWORD',
    '{{ .Values.password }}',
    '<your-token>',
    'changeme',
    'CHANGEME',
    'xxxx',
    '********',
    'true',
    'none',
    '%(password)s',
    'your-api-key-here',
  ])('%j is a placeholder', (value) => expect(isPlaceholder(value)).toBe(true));
  it.each(['hunter2', 'sk_live_abc', 'p@ss', 'x1'])('%j is not', (value) => expect(isPlaceholder(value)).toBe(false));
});

describe('files in a ConfigMap', () => {
  it('finds values of secret keys in properties, YAML, .env, INI and JSON, and nothing else', () => {
    const properties = [
      '# comment',
      'spring.datasource.url=jdbc:postgresql://db:5432/shop',
      'spring.datasource.password = props-pw',
      'security.password.policy=strict',
      'mail.password=${MAIL_PASSWORD}',
    ].join('\n');
    expect(foundInFile(properties)).toEqual(['props-pw']);
    const yaml = [
      'database:',
      '  user: shop',
      '  password: "yaml pw #1"  # production',
      '  token: plain-token # note',
      '  apiKey:',
      '    nested: x',
      '  secret: |',
      '    block',
      'auth:',
      '  - password: listed-pw',
    ].join('\n');
    expect(foundInFile(yaml)).toEqual(['yaml pw #1', 'plain-token', 'listed-pw']);
    const dotenv = [
      'export STRIPE_API_KEY=stripe-env-value',
      "DB_PASSWORD='env-pw'",
      'PASSWORD_POLICY=strict',
      'PWD=/srv/app',
      'EMPTY_SECRET=',
    ].join('\n');
    expect(foundInFile(dotenv)).toEqual(['stripe-env-value', 'env-pw']);
    const json =
      '{\n  "db": {"user": "shop", "password": "json-pw"},\n  "apiKey": "json-\\"key",\n  "tokenTtl": "3600"\n}';
    expect(foundInFile(json)).toEqual(['json-pw', 'json-\\"key']);
  });

  it('finds a URL password and a key format inside a file too', () => {
    expect(foundInFile('cache:\n  url: redis://:file-pw@redis:6379\nstripe: sk_live_abcdefghij1234\n')).toEqual([
      'file-pw',
      'sk_live_abcdefghij1234',
    ]);
  });
});

describe('findings', () => {
  it('are in bounds, sorted and disjoint for any text', () => {
    const alphabet = fc.constantFrom(
      ...'ab:/@=\n "{}-_.sk_live_AKIAghp_xoxb-eyJ$()#'.split(''),
      'password',
      'PASSWORD',
      '://',
      'sk_live_',
      'eyJ',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(alphabet).map((parts) => parts.join('')),
        ),
        (text) => {
          const findings: Finding[] = findCredentialsInFile(text);
          let last = 0;
          for (const finding of findings) {
            expect(finding.start).toBeGreaterThanOrEqual(last);
            expect(finding.end).toBeGreaterThan(finding.start);
            expect(finding.end).toBeLessThanOrEqual(text.length);
            last = finding.end;
          }
        },
      ),
    );
  });

  it('take linear time on hostile input', () => {
    const hostile = [
      'a'.repeat(300_000),
      `${' '.repeat(300_000)}x`,
      `password${' '.repeat(300_000)}x`,
      `key: ${'a '.repeat(150_000)}`,
      'x://'.repeat(100_000),
      `-----BEGIN ${'A'.repeat(300_000)}`,
      'eyJ'.repeat(100_000),
      `/${'a/'.repeat(150_000)}!`,
    ];
    const started = Date.now();
    for (const text of hostile) {
      findCredentialsInFile(text, true);
      isSecretName(text);
    }
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
