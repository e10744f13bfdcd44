import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeArray, encodeRows } from '../../../operator/seed/postgres/copy-text';
import { connect, copyIn } from '../../../operator/seed/postgres/session';
import { Rng } from '../../../operator/seed/synth/rng';
import { luhnCheckDigit } from '../../../operator/seed/transform/fake-values';
import type { TableInfo, TextRow } from '../../../operator/seed/model';

// A "production" shop database: real-looking people and skewed behaviour (a few
// users order a lot, a few products sell most), loaded through COPY.

export const SHOP_SCHEMA_SQL = readFileSync(join(__dirname, 'schema.sql'), 'utf8');

const FIRST =
  'James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Lukas Sofia Mateo Lea Noah Mia Elias Hanna Finn Lina Aarav Saanvi Yuki Haruto Wei Mei Olga Dmitri Fatma Mehmet'.split(
    ' ',
  );
const LAST =
  'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Müller Schmidt Schneider Fischer Weber Dubois Bernard Rossi Russo Sato Suzuki Kowalski Nowak Yilmaz Kaya Silva Santos Jensen Nielsen OBrien'.split(
    ' ',
  );
const MAIL = [
  'gmail.com',
  'yahoo.com',
  'outlook.com',
  'hotmail.com',
  'icloud.com',
  'proton.me',
  'web.de',
  'acme-corp.com',
];
const STREETS = 'Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Sunset Broadway Market Church Mill'.split(' ');
const TOWNS =
  'Springfield Portland Austin Denver Boston Seattle Berlin Hamburg Munich Paris Lyon Madrid Amsterdam Dublin London Leeds'.split(
    ' ',
  );
const COUNTRIES: Array<[string, number]> = [
  ['US', 0.45],
  ['DE', 0.2],
  ['GB', 0.12],
  ['FR', 0.1],
  ['NL', 0.07],
  ['ES', 0.06],
];
const ADJ = 'Classic Modern Compact Deluxe Eco Ultra Smart Vintage Rugged Premium'.split(' ');
const MATERIAL = 'Steel Wooden Cotton Leather Glass Ceramic Bamboo Wool Carbon Linen'.split(' ');
const NOUN = 'Chair Lamp Backpack Mug Jacket Desk Speaker Kettle Watch Blanket Bottle Shelf'.split(' ');
const TAGS =
  'sale new bestseller eco gift limited premium clearance bundle handmade organic imported vegan kids outdoor office kitchen travel fitness tech home garden pet summer winter exclusive refurbished local seasonal classic'.split(
    ' ',
  );
const CATEGORY_WORDS = 'Home Garden Kitchen Office Outdoor Sports Fashion Electronics Toys Books'.split(' ');
const STATUSES: Array<[string, number]> = [
  ['delivered', 0.55],
  ['shipped', 0.15],
  ['paid', 0.1],
  ['pending', 0.08],
  ['cancelled', 0.08],
  ['refunded', 0.04],
];
const METHODS: Array<[string, number]> = [
  ['card', 0.62],
  ['paypal', 0.25],
  ['bank_transfer', 0.08],
  ['gift_card', 0.05],
];
const ACTIONS: Array<[string, number]> = [
  ['login', 0.45],
  ['view_product', 0.25],
  ['place_order', 0.15],
  ['update_profile', 0.1],
  ['logout', 0.05],
];
const REVIEW_TEXT = [
  'Great value, would buy again.',
  'Arrived late but works fine.',
  'Not as described.',
  'Excellent quality!',
  'Decent for the price.',
  'My kids love it.',
  'Broke after a week.',
];

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 1);

function weighted<T>(rng: Rng, items: Array<[T, number]>): T {
  let u = rng.next();
  for (const [v, w] of items) if ((u -= w) < 0) return v;
  return items.at(-1)![0];
}
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;
/** Zipf-like index in [0, n): a few items get most of the picks. */
const zipf = (rng: Rng, n: number): number => Math.min(n - 1, Math.floor(n * Math.pow(rng.next(), 2.2)));
const ts = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '+00');
function uuid(rng: Rng): string {
  const h = Array.from({ length: 16 }, () => rng.int(256).toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface ShopSize {
  users: number;
  seed?: number;
}

export interface ShopCounts {
  [table: string]: number;
}

const t = (name: string): TableInfo => ({
  schema: 'public',
  name,
  columns: [],
  primaryKey: [],
  uniques: [],
  foreignKeys: [],
  checks: [],
});

/** Creates the schema (when missing) and fills it; returns rows per table. */
export async function loadShop(
  url: string,
  size: ShopSize,
  opts: { createSchema?: boolean } = {},
): Promise<ShopCounts> {
  const client = await connect(url, 'shop-loader');
  const counts: ShopCounts = {};
  const rng = new Rng(size.seed ?? 1, 7);
  const write = async (table: string, columns: string[], rows: Iterable<TextRow>): Promise<void> => {
    let n = 0;
    // eslint-disable-next-line @typescript-eslint/require-await -- copyIn takes an AsyncIterable; batching itself is synchronous
    async function* chunks(): AsyncGenerator<string> {
      let batch: TextRow[] = [];
      for (const r of rows) {
        batch.push(r);
        n += 1;
        if (batch.length === 10_000) {
          yield encodeRows(batch);
          batch = [];
        }
      }
      if (batch.length) yield encodeRows(batch);
    }
    await copyIn(client, t(table), columns, chunks());
    counts[`public.${table}`] = n;
  };
  try {
    if (opts.createSchema !== false) await client.query(SHOP_SCHEMA_SQL);
    const nUsers = size.users;
    const nCategories = 40;
    await write(
      'categories',
      ['id', 'parent_id', 'slug', 'name'],
      (function* () {
        for (let i = 1; i <= nCategories; i++) {
          const parent = i <= 8 ? null : i <= 24 ? String(1 + rng.int(8)) : String(9 + rng.int(i - 9));
          yield [String(i), parent, `cat-${i}`, `${pick(rng, CATEGORY_WORDS)} ${i}`];
        }
      })(),
    );
    await write(
      'tags',
      ['id', 'name'],
      TAGS.map((name, i) => [String(i + 1), name]),
    );

    const userIds: string[] = [];
    const userCreated = new Float64Array(nUsers);
    const userEmails: string[] = [];
    await write(
      'users',
      [
        'id',
        'email',
        'first_name',
        'last_name',
        'phone',
        'date_of_birth',
        'loyalty_points',
        'marketing_opt_in',
        'last_login_ip',
        'preferences',
        'created_at',
      ],
      (function* () {
        for (let i = 0; i < nUsers; i++) {
          const first = pick(rng, FIRST);
          const last = pick(rng, LAST);
          const id = uuid(rng);
          const email = `${first}.${last}${i}@${pick(rng, MAIL)}`.toLowerCase();
          userIds.push(id);
          userEmails.push(email);
          userCreated[i] = NOW - Math.pow(rng.next(), 0.6) * 3 * 365 * DAY;
          const phone = rng.chance(0.7)
            ? `+1-${200 + rng.int(800)}-${100 + rng.int(900)}-${1000 + rng.int(9000)}`
            : null;
          const dob = rng.chance(0.8)
            ? new Date(NOW - (18 + rng.next() * rng.next() * 62) * 365.25 * DAY).toISOString().slice(0, 10)
            : null;
          const ip = rng.chance(0.9) ? `${1 + rng.int(223)}.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}` : null;
          const prefs = JSON.stringify({
            newsletter: rng.chance(0.4),
            currency: rng.chance(0.6) ? 'USD' : 'EUR',
            theme: rng.chance(0.3) ? 'dark' : 'light',
          });
          yield [
            id,
            email,
            first,
            last,
            phone,
            dob,
            String(Math.floor(Math.exp(rng.next() * 8)) - 1),
            rng.chance(0.35) ? 't' : 'f',
            ip,
            prefs,
            ts(userCreated[i]!),
          ];
        }
      })(),
    );

    const addrStart = new Int32Array(nUsers);
    const addrCount = new Int32Array(nUsers);
    let addressId = 0;
    await write(
      'addresses',
      ['id', 'user_id', 'line1', 'city', 'postal_code', 'country', 'is_default'],
      (function* () {
        for (let u = 0; u < nUsers; u++) {
          const k = 1 + (rng.chance(0.35) ? 1 + rng.int(3) : 0);
          addrStart[u] = addressId + 1;
          addrCount[u] = k;
          for (let j = 0; j < k; j++) {
            addressId += 1;
            yield [
              String(addressId),
              userIds[u]!,
              `${1 + rng.int(9999)} ${pick(rng, STREETS)} St`,
              pick(rng, TOWNS),
              String(10000 + rng.int(89999)),
              weighted(rng, COUNTRIES),
              j === 0 ? 't' : 'f',
            ];
          }
        }
      })(),
    );

    const nProducts = Math.max(50, Math.round(nUsers / 5));
    const prices = new Float64Array(nProducts);
    await write(
      'products',
      ['id', 'category_id', 'sku', 'name', 'price', 'stock', 'tags', 'attributes', 'created_at'],
      (function* () {
        for (let p = 0; p < nProducts; p++) {
          prices[p] = Math.round(Math.exp(2 + rng.next() * 2.5 + rng.next() * 1.5) * 100) / 100;
          const tags = [...new Set(Array.from({ length: rng.int(4) }, () => TAGS[zipf(rng, TAGS.length)]!))];
          const attrs = rng.chance(0.8)
            ? JSON.stringify({
                color: pick(rng, ['red', 'blue', 'black', 'white', 'green']),
                weight_g: 100 + rng.int(5000),
              })
            : null;
          yield [
            String(p + 1),
            String(9 + zipf(rng, nCategories - 8)),
            `SKU-${String(p + 1).padStart(6, '0')}`,
            `${pick(rng, ADJ)} ${pick(rng, MATERIAL)} ${pick(rng, NOUN)}`,
            prices[p]!.toFixed(2),
            String(Math.floor(Math.exp(rng.next() * 6))),
            encodeArray(tags),
            attrs,
            ts(NOW - rng.next() * 3 * 365 * DAY),
          ];
        }
      })(),
    );
    await write(
      'product_tags',
      ['product_id', 'tag_id'],
      (function* () {
        for (let p = 0; p < nProducts; p++) {
          const tags = new Set(Array.from({ length: rng.int(6) }, () => 1 + zipf(rng, TAGS.length)));
          for (const tag of tags) yield [String(p + 1), String(tag)];
        }
      })(),
    );

    // Orders, items and payments come from one generator per order, so three passes agree.
    const orderUser: number[] = [];
    for (let u = 0; u < nUsers; u++) {
      const heavy = rng.chance(0.05) ? 6 : 1;
      const k = Math.min(300, Math.floor(-Math.log(1 - rng.next()) * 2.6 * heavy));
      for (let j = 0; j < k; j++) orderUser.push(u);
    }
    const items = (o: number): Array<[number, number, number]> => {
      const r = new Rng(size.seed ?? 1, 1_000_000 + o);
      const n = 1 + Math.min(20, Math.floor(-Math.log(1 - r.next()) * 1.5));
      return Array.from({ length: n }, () => {
        const p = zipf(r, nProducts);
        return [p, 1 + Math.floor(Math.pow(r.next(), 3) * 5), prices[p]!];
      });
    };
    const orderMeta = (o: number) => {
      const r = new Rng(size.seed ?? 1, 5_000_000 + o);
      const u = orderUser[o]!;
      const placed = userCreated[u]! + r.next() * (NOW - userCreated[u]!);
      return { r, u, placed, status: weighted(r, STATUSES) };
    };
    await write(
      'orders',
      ['id', 'user_id', 'shipping_address_id', 'status', 'total', 'placed_at', 'note'],
      (function* () {
        for (let o = 0; o < orderUser.length; o++) {
          const { r, u, placed, status } = orderMeta(o);
          const total = items(o).reduce((s, [, q, price]) => s + q * price, 0);
          const address = r.chance(0.92) ? String(addrStart[u]! + r.int(addrCount[u]!)) : null;
          yield [
            String(o + 1),
            userIds[u]!,
            address,
            status,
            total.toFixed(2),
            ts(placed),
            r.chance(0.12) ? `Please call ${FIRST[r.int(FIRST.length)]} at the door` : null,
          ];
        }
      })(),
    );
    let itemId = 0;
    await write(
      'order_items',
      ['id', 'order_id', 'product_id', 'quantity', 'unit_price'],
      (function* () {
        for (let o = 0; o < orderUser.length; o++)
          for (const [p, q, price] of items(o))
            yield [String(++itemId), String(o + 1), String(p + 1), String(q), price.toFixed(2)];
      })(),
    );
    let paymentId = 0;
    await write(
      'payments',
      ['id', 'order_id', 'method', 'amount', 'card_number', 'paid_at'],
      (function* () {
        for (let o = 0; o < orderUser.length; o++) {
          const { r, placed, status } = orderMeta(o);
          if (status === 'pending') continue;
          const total = items(o).reduce((s, [, q, price]) => s + q * price, 0);
          const method = weighted(r, METHODS);
          const payload = `4${Array.from({ length: 14 }, () => r.int(10)).join('')}`;
          yield [
            String(++paymentId),
            String(o + 1),
            method,
            total.toFixed(2),
            method === 'card' ? `${payload}${luhnCheckDigit(payload)}` : null,
            ts(placed + r.int(3600) * 1000),
          ];
        }
      })(),
    );
    await write(
      'reviews',
      ['id', 'product_id', 'user_id', 'rating', 'body', 'created_at'],
      (function* () {
        const seen = new Set<string>();
        let id = 0;
        for (let k = 0; k < Math.round(nUsers * 0.4); k++) {
          const u = zipf(rng, nUsers);
          const p = zipf(rng, nProducts);
          if (seen.has(`${u}:${p}`)) continue;
          seen.add(`${u}:${p}`);
          const rating = weighted(rng, [
            ['5', 0.45],
            ['4', 0.25],
            ['3', 0.12],
            ['2', 0.08],
            ['1', 0.1],
          ]);
          yield [
            String(++id),
            String(p + 1),
            userIds[u]!,
            rating,
            rng.chance(0.6) ? pick(rng, REVIEW_TEXT) : null,
            ts(userCreated[u]! + rng.next() * (NOW - userCreated[u]!)),
          ];
        }
      })(),
    );
    await write(
      'audit_log',
      ['id', 'actor_id', 'action', 'entity', 'payload', 'at'],
      (function* () {
        for (let k = 0; k < nUsers * 2; k++) {
          const u = zipf(rng, nUsers);
          const actor = rng.chance(0.85) ? userIds[u]! : null;
          const action = weighted(rng, ACTIONS);
          const payload = JSON.stringify({
            ip: `${1 + rng.int(223)}.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}`,
            email: userEmails[u],
            agent: pick(rng, ['ios', 'android', 'web']),
            ok: rng.chance(0.97),
          });
          yield [
            String(k + 1),
            actor,
            action,
            action === 'place_order' ? 'order' : 'user',
            payload,
            ts(NOW - Math.pow(rng.next(), 0.5) * 365 * DAY),
          ];
        }
      })(),
    );
    for (const table of Object.keys(counts)) {
      await client
        .query(
          `SELECT setval(pg_get_serial_sequence($1, 'id'), greatest(1, (SELECT coalesce(max(id), 0) FROM ${table.replace('public.', 'public."')}")))`,
          [table],
        )
        .catch(() => undefined);
    }
    await client.query('ANALYZE');
    return counts;
  } finally {
    await client.end();
  }
}

if (require.main === module) {
  const [url, users] = process.argv.slice(2);
  if (!url) {
    console.error('usage: tsx examples/shop/db/loader.ts <postgres-url> [users=10000]');
    process.exit(2);
  }
  loadShop(url, { users: Number(users ?? 10_000) }).then(
    (counts) => console.log(JSON.stringify(counts, null, 2)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
