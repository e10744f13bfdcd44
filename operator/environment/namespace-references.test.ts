import fc from 'fast-check';
import {
  isNamespaceKey,
  referencesNamespace,
  rewriteArguments,
  rewriteDnsReferences,
  rewriteKeyedValue,
  type NamespaceRewrite,
} from './namespace-references';

const shop: NamespaceRewrite = { from: 'shop', to: 'shop-pr-1234' };

describe('rewriteDnsReferences', () => {
  it.each([
    ['http://catalog.shop.svc.cluster.local:8080', 'http://catalog.shop-pr-1234.svc.cluster.local:8080'],
    ['http://payments.shop.svc:8080/v1', 'http://payments.shop-pr-1234.svc:8080/v1'],
    ['redis.shop:6379', 'redis.shop-pr-1234:6379'],
    ['postgres.shop', 'postgres.shop-pr-1234'],
    [
      'postgres-0.postgres-headless.shop.svc.cluster.local',
      'postgres-0.postgres-headless.shop-pr-1234.svc.cluster.local',
    ],
    ['a.shop.svc.cluster.local. and b.shop.', 'a.shop-pr-1234.svc.cluster.local. and b.shop-pr-1234.'],
    ['hosts=users.shop:8080,cart.shop:8080', 'hosts=users.shop-pr-1234:8080,cart.shop-pr-1234:8080'],
    // DNS is case-insensitive: these resolve to production as surely as the lowercase ones.
    [
      'jdbc:postgresql://Postgres.SHOP.svc.cluster.local:5432/orders',
      'jdbc:postgresql://Postgres.shop-pr-1234.svc.cluster.local:5432/orders',
    ],
    ['CATALOG.Shop.SVC', 'CATALOG.shop-pr-1234.SVC'],
  ])('rewrites %s', (text, expected) => {
    expect(rewriteDnsReferences(text, shop)).toBe(expected);
  });

  it.each([
    'shopping-cart',
    'CART_MODE=shopping-cart',
    'https://shop.example.com/orders',
    'https://www.shop.example.com',
    'orders@shop.example.com',
    'shop.orders.v1',
    'catalog.shopping.svc',
    'catalog.myshop.svc',
    'catalog.shop-pr-1234.svc.cluster.local',
    'catalog.shop.svcs.example',
    'shop',
  ])('leaves %s alone', (text) => {
    expect(rewriteDnsReferences(text, shop)).toBe(text);
  });

  it('takes the short form for a Service only when it names one', () => {
    const rewrite = { ...shop, serviceNames: new Set(['redis']) };
    expect(rewriteDnsReferences('redis.shop:6379 mail.shop', rewrite)).toBe('redis.shop-pr-1234:6379 mail.shop');
    expect(rewriteDnsReferences('mail.shop.svc', rewrite)).toBe('mail.shop-pr-1234.svc');
    expect(rewriteDnsReferences('Redis.Shop:6379 Mail.Shop', rewrite)).toBe('Redis.shop-pr-1234:6379 Mail.Shop');
  });

  it('keeps references to shared services pointing at the baseline', () => {
    const rewrite = { ...shop, keep: new Set(['redis']) };
    expect(rewriteDnsReferences('redis.shop.svc.cluster.local cart.shop.svc', rewrite)).toBe(
      'redis.shop.svc.cluster.local cart.shop-pr-1234.svc',
    );
  });
});

/** An independent statement of the rule: per DNS name, per label. */
function oracle(text: string, rewrite: NamespaceRewrite): string {
  const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/i;
  return text.replace(/[-a-z0-9.]+/gi, (name) => {
    const labels = name.split('.');
    const out = [...labels];
    for (let i = 1; i < labels.length; i++) {
      const previous = labels[i - 1] ?? '';
      const next = labels[i + 1];
      if (labels[i]?.toLowerCase() !== rewrite.from || !LABEL.test(previous)) continue;
      if (rewrite.keep?.has(previous.toLowerCase())) continue;
      const longForm = next?.toLowerCase() === 'svc';
      const endsName = next === undefined || !/^[a-z0-9]/i.test(next);
      if (longForm || (endsName && (!rewrite.serviceNames || rewrite.serviceNames.has(previous.toLowerCase()))))
        out[i] = rewrite.to;
    }
    return out.join('.');
  });
}

describe('rewriteDnsReferences properties', () => {
  const namespace = fc.constantFrom('shop', 'a', 'prod-eu', 'ns1');
  // Names made of labels, the namespace often among them, between separators.
  const label = (ns: string) =>
    fc.constantFrom(
      ns,
      ns,
      ns,
      ns.toUpperCase(),
      'SVC',
      'Redis',
      `${ns}ping`,
      `my${ns}`,
      `${ns}-pr-1`,
      'svc',
      'svc',
      'svcs',
      'cluster',
      'local',
      'catalog',
      'redis',
      'x-',
      '-',
      '8080',
      'A',
      '',
    );
  const name = (ns: string) => fc.array(label(ns), { minLength: 1, maxLength: 5 }).map((labels) => labels.join('.'));
  const separator = fc.constantFrom(' ', ':', '/', '@', '=', ',', '', 'http://');
  const text = (ns: string) =>
    fc.array(fc.tuple(separator, name(ns)), { maxLength: 6 }).map((parts) => parts.map(([sep, n]) => sep + n).join(''));
  const scenario = namespace.chain((ns) =>
    fc.record({
      ns: fc.constant(ns),
      text: text(ns),
      serviceNames: fc.option(fc.subarray(['catalog', 'redis', ns, 'svc']), { nil: undefined }),
      keep: fc.option(fc.subarray(['catalog', 'redis']), { nil: undefined }),
    }),
  );
  const rewriteOf = (s: {
    ns: string;
    serviceNames: string[] | undefined;
    keep: string[] | undefined;
  }): NamespaceRewrite => ({
    from: s.ns,
    to: `${s.ns}-pr-7`,
    ...(s.serviceNames ? { serviceNames: new Set(s.serviceNames) } : {}),
    ...(s.keep ? { keep: new Set(s.keep) } : {}),
  });

  it('agrees with a label-by-label statement of the rule', () => {
    fc.assert(
      fc.property(scenario, (s) =>
        expect(rewriteDnsReferences(s.text, rewriteOf(s))).toBe(oracle(s.text, rewriteOf(s))),
      ),
      { numRuns: 2000 },
    );
  });

  it('is exercised: the generated texts often hold references', () => {
    const samples = fc.sample(scenario, 500);
    const rewritten = samples.filter((s) => rewriteDnsReferences(s.text, rewriteOf(s)) !== s.text);
    expect(rewritten.length).toBeGreaterThan(40);
  });

  it('never leaves a reference to the baseline namespace behind', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const rewrite = { ...rewriteOf(s), keep: undefined };
        expect(referencesNamespace(rewriteDnsReferences(s.text, rewrite), rewrite)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('is idempotent: rewriting twice is rewriting once', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const once = rewriteDnsReferences(s.text, rewriteOf(s));
        expect(rewriteDnsReferences(once, rewriteOf(s))).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  it('changes nothing but the namespace labels', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const rewrite = rewriteOf(s);
        const out = rewriteDnsReferences(s.text, rewrite);
        // Case aside: an upper-case `SHOP` becomes the target's (lower-case) name.
        const folded = (text: string) => text.toLowerCase().split(rewrite.to).join(rewrite.from);
        expect(folded(out)).toBe(folded(s.text));
        expect(out.length - s.text.length).toBe(
          (rewrite.to.length - rewrite.from.length) * (out.split(rewrite.to).length - s.text.split(rewrite.to).length),
        );
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the bare namespace name', () => {
  it('is rewritten under keys that say namespace, and nowhere else', () => {
    expect(rewriteKeyedValue('LEADER_ELECTION_NAMESPACE', 'shop', shop)).toBe('shop-pr-1234');
    expect(rewriteKeyedValue('WATCH_NS', 'shop', shop)).toBe('shop-pr-1234');
    expect(rewriteKeyedValue('POSTGRES_DB', 'shop', shop)).toBe('shop');
    expect(rewriteKeyedValue('APP', 'shop', shop)).toBe('shop');
    expect(rewriteKeyedValue('POD_NAMESPACE', 'shopping', shop)).toBe('shopping');
    expect(rewriteKeyedValue('URL', 'http://cart.shop:80', shop)).toBe('http://cart.shop-pr-1234:80');
  });

  it('is rewritten in namespace flags, joined or separate', () => {
    expect(
      rewriteArguments(
        [
          '--namespace=shop',
          '-n',
          'shop',
          '--namespace',
          'shop',
          '--db=shop',
          'shop',
          '--users=http://users.shop:8080',
        ],
        shop,
      ),
    ).toEqual([
      '--namespace=shop-pr-1234',
      '-n',
      'shop-pr-1234',
      '--namespace',
      'shop-pr-1234',
      '--db=shop',
      'shop',
      '--users=http://users.shop-pr-1234:8080',
    ]);
  });

  it.each([
    ['NAMESPACE', true],
    ['POD_NAMESPACE', true],
    ['--watch-namespace', true],
    ['TARGET_NS', true],
    ['-n', true],
    ['DNS_SERVER', false],
    ['NSQ_HOST', false],
    ['POSTGRES_DB', false],
  ])('%s names a namespace: %s', (key, expected) => expect(isNamespaceKey(key)).toBe(expected));
});
