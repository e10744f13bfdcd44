import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

// Keyed determinism: every fake value is chosen by HMAC-SHA256(key, domain, value),
// where the domain names the kind of value (never the table), so one input maps
// to one output in every table, database and run, and another key changes all.

const CACHE_LIMIT = 50_000;
/**
 * A domain whose values hardly repeat (emails, addresses) stops being cached
 * after this many lookups: storing digests nobody asks for again only makes garbage.
 */
const PROBE_LOOKUPS = 20_000;
const MIN_HIT_RATE = 0.05;

interface DomainCache {
  values: Map<string, Buffer>;
  lookups: number;
  hits: number;
}

/** What transforms need from a key: a digest, a choice among n, and round keys for permutations. */
export interface Keyed {
  digest(domain: string, value: string): Buffer;
  pick(domain: string, value: string, n: number, word?: number): number;
  roundKeys(domain: string, rounds: number): Uint32Array;
}

export class KeyedHash implements Keyed {
  private readonly key: Buffer;
  /** The key as a KeyObject: HMACs keyed by one skip re-importing the key bytes on every call. */
  private readonly secret: KeyObject;
  private readonly cache = new Map<string, DomainCache>();
  private cached = 0;
  private lastDomain = '';
  private lastValue: string | undefined;
  private lastDigest: Buffer | undefined;

  constructor(key: Buffer | string) {
    this.key = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    if (this.key.length < 16) throw new Error('the masking key must be at least 16 bytes long');
    this.secret = createSecretKey(this.key);
  }

  /** HMAC-SHA256(key, domain NUL value); cached because personal values repeat (names, cities). */
  digest(domain: string, value: string): Buffer {
    // One fake value often takes several words of one digest (an email's name, domain and tag).
    if (value === this.lastValue && domain === this.lastDomain) return this.lastDigest!;
    const out = this.lookup(domain, value);
    this.lastDomain = domain;
    this.lastValue = value;
    this.lastDigest = out;
    return out;
  }

  private lookup(domain: string, value: string): Buffer {
    // Per-domain caches: a hit costs no string concatenation.
    let cache = this.cache.get(domain);
    if (!cache) this.cache.set(domain, (cache = { values: new Map(), lookups: 0, hits: 0 }));
    const useful = cache.lookups < PROBE_LOOKUPS || cache.hits >= cache.lookups * MIN_HIT_RATE;
    if (useful) {
      cache.lookups += 1;
      const hit = cache.values.get(value);
      if (hit) {
        cache.hits += 1;
        return hit;
      }
    }
    const out = createHmac('sha256', this.secret).update(`${domain}\u0000${value}`).digest();
    if (!useful) return out;
    if (this.cached >= CACHE_LIMIT) {
      for (const other of this.cache.values()) other.values.clear();
      this.cached = 0;
    }
    cache.values.set(value, out);
    this.cached += 1;
    return out;
  }

  /** An index in [0, n) taken from 32 bits of the digest at word `word` (0..7). */
  pick(domain: string, value: string, n: number, word = 0): number {
    return this.digest(domain, value).readUInt32BE((word % 8) * 4) % n;
  }

  /** Round keys for a permutation, derived once per domain. */
  roundKeys(domain: string, rounds: number): Uint32Array {
    const keys = new Uint32Array(rounds);
    for (let i = 0; i < rounds; i++)
      keys[i] = createHmac('sha256', this.key).update(`round\u0000${domain}\u0000${i}`).digest().readUInt32BE(0);
    return keys;
  }
}

/** murmur3's 32-bit finaliser: a fast bijective mixer for Feistel round functions. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const ROUNDS = 8;

/**
 * A keyed permutation of [0, 2^bits) (bits ≤ 52): a balanced Feistel network
 * over the next even bit width, cycle-walked back into the domain. A Feistel
 * network is a bijection whatever its round function, so key columns stay
 * unique and foreign keys still join. The round keys come from HMAC; the round
 * function is a fast mixer, which is enough for pseudonymous surrogate keys.
 */
export class IntPermutation {
  private readonly half: number;
  private readonly mask: number;
  private readonly size: number;

  constructor(
    private readonly keys: Uint32Array,
    readonly bits: number,
  ) {
    if (!Number.isInteger(bits) || bits < 2 || bits > 52)
      throw new Error(`permutation width must be 2..52 bits, got ${bits}`);
    this.half = Math.ceil(bits / 2);
    this.mask = 2 ** this.half - 1;
    this.size = 2 ** bits;
  }

  apply(x: number): number {
    if (!Number.isInteger(x) || x < 0 || x >= this.size)
      throw new Error(`value ${x} is outside the permuted domain [0, 2^${this.bits})`);
    let y = this.encrypt(x);
    while (y >= this.size) y = this.encrypt(y);
    return y;
  }

  private encrypt(x: number): number {
    const scale = 2 ** this.half;
    let left = Math.floor(x / scale);
    let right = x % scale;
    for (let i = 0; i < ROUNDS; i++) {
      const f = (fmix32((right ^ this.keys[i]!) >>> 0) ^ fmix32(right + i)) & this.mask;
      const next = (left ^ f) & this.mask;
      left = right;
      right = next >>> 0;
    }
    return left * scale + right;
  }
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A 32-bit word as 8 lowercase hex digits, through a byte table: far cheaper than toString + padStart. */
function hex8(w: number): string {
  return HEX_BYTE[w >>> 24]! + HEX_BYTE[(w >>> 16) & 255]! + HEX_BYTE[(w >>> 8) & 255]! + HEX_BYTE[w & 255]!;
}

/** A keyed permutation of 128-bit values (UUIDs), Feistel over two 64-bit halves. */
export class Uuid128Permutation {
  private readonly out = new Uint32Array(4);

  constructor(private readonly keys: Uint32Array) {
    if (keys.length < ROUNDS * 2) throw new Error('uuid permutation needs 16 round keys');
  }

  /** 32 hex digits in, 32 lowercase hex digits out. */
  apply(hex32: string): string {
    const w = this.words(
      parseInt(hex32.slice(0, 8), 16),
      parseInt(hex32.slice(8, 16), 16),
      parseInt(hex32.slice(16, 24), 16),
      parseInt(hex32.slice(24, 32), 16),
    );
    return hex8(w[0]!) + hex8(w[1]!) + hex8(w[2]!) + hex8(w[3]!);
  }

  /** A canonical lowercase UUID (8-4-4-4-12, as PostgreSQL prints it) in, the same form out; equal to apply() between the dashes. */
  applyCanonical(uuid: string): string {
    const w = this.words(
      parseInt(uuid.slice(0, 8), 16),
      parseInt(uuid.slice(9, 13) + uuid.slice(14, 18), 16),
      parseInt(uuid.slice(19, 23) + uuid.slice(24, 28), 16),
      parseInt(uuid.slice(28, 36), 16),
    );
    const b = hex8(w[1]!);
    const c = hex8(w[2]!);
    return `${hex8(w[0]!)}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${hex8(w[3]!)}`;
  }

  /** The permuted words, in a buffer reused by the next call. */
  private words(a: number, b: number, c: number, d: number): Uint32Array {
    for (let i = 0; i < ROUNDS; i++) {
      const k1 = this.keys[2 * i]!;
      const k2 = this.keys[2 * i + 1]!;
      const f1 = fmix32((c ^ k1) + Math.imul(d, 0x9e3779b1));
      const f2 = fmix32((d ^ k2) + Math.imul(f1, 0x7feb352d));
      const na = c;
      const nb = d;
      c = (a ^ f1) >>> 0;
      d = (b ^ f2) >>> 0;
      a = na;
      b = nb;
    }
    const out = this.out;
    out[0] = a;
    out[1] = b;
    out[2] = c;
    out[3] = d;
    return out;
  }
}

function fnv1a(text: string, h: number): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A fast, seeded, non-cryptographic stand-in for KeyedHash, for synthesis:
 * its inputs are made-up tokens, never production values, so there is nothing
 * to protect and no reason to pay for HMAC on every generated value.
 */
export class SeededHash implements Keyed {
  private readonly seed: number;
  private readonly hmac: KeyedHash;

  constructor(seed: number) {
    this.seed = fmix32(seed ^ 0x5bd1e995);
    this.hmac = new KeyedHash(`understudy-seeded-${seed}`.padEnd(32, '.'));
  }

  private word(domain: string, value: string, word: number): number {
    return fmix32(fnv1a(value, fnv1a(domain, this.seed)) ^ Math.imul(word + 1, 0x9e3779b9));
  }

  digest(domain: string, value: string): Buffer {
    const out = Buffer.allocUnsafe(32);
    for (let w = 0; w < 8; w++) out.writeUInt32BE(this.word(domain, value, w), w * 4);
    return out;
  }

  pick(domain: string, value: string, n: number, word = 0): number {
    return this.word(domain, value, word) % n;
  }

  roundKeys(domain: string, rounds: number): Uint32Array {
    return this.hmac.roundKeys(domain, rounds);
  }
}
