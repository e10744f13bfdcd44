import type { Keyed } from '../keyed';
import {
  CITIES,
  COMPANY_SUFFIXES,
  COMPANY_WORDS,
  COUNTRIES,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  LOREM,
  STREETS,
  STREET_SUFFIXES,
} from '../wordlists';

// Fake personal values chosen by a keyed digest of the input. The domain of
// each digest names the kind of value, never the table, for cross-table consistency.

function choose(list: readonly string[], keyed: Keyed, domain: string, input: string, word = 0): string {
  return list[keyed.pick(domain, input, list.length, word)]!;
}

export const firstName = (k: Keyed, v: string): string => choose(FIRST_NAMES, k, 'firstName', v);
export const lastName = (k: Keyed, v: string): string => choose(LAST_NAMES, k, 'lastName', v);
export const fullName = (k: Keyed, v: string): string =>
  `${choose(FIRST_NAMES, k, 'fullName', v, 0)} ${choose(LAST_NAMES, k, 'fullName', v, 1)}`;
export const city = (k: Keyed, v: string): string => choose(CITIES, k, 'city', v);
export const country = (k: Keyed, v: string): string => choose(COUNTRIES, k, 'country', v);
export const company = (k: Keyed, v: string): string =>
  `${choose(COMPANY_WORDS, k, 'company', v, 0)} ${choose(COMPANY_SUFFIXES, k, 'company', v, 1)}`;
export const street = (k: Keyed, v: string): string =>
  `${1 + k.pick('street', v, 9999, 0)} ${choose(STREETS, k, 'street', v, 1)} ${choose(STREET_SUFFIXES, k, 'street', v, 2)}`;

export function username(k: Keyed, v: string): string {
  return `${choose(FIRST_NAMES, k, 'username', v, 0).toLowerCase()}${choose(LAST_NAMES, k, 'username', v, 1).toLowerCase()}${k.pick('username', v, 1000, 2)}`;
}

/** Lowercase hex of the keyed digest, `length` characters (at most 64). */
export function hashHex(k: Keyed, domain: string, v: string, length: number): string {
  return k
    .digest(domain, v)
    .toString('hex')
    .slice(0, Math.max(1, Math.min(64, length)));
}

/**
 * A fake address at a reserved domain. With `unique`, 64 keyed bits are added
 * so distinct inputs give distinct outputs (a collision needs ~2^32 rows).
 */
export function email(k: Keyed, v: string, unique: boolean, maxLength?: number): string {
  const domain = choose(EMAIL_DOMAINS, k, 'email', v, 2);
  // One digest per address: words 0–3 choose the parts, bytes 16–23 make the unique tag.
  const tag = unique ? `.${k.digest('email', v).toString('hex', 16, 24)}` : String(k.pick('email', v, 100, 3));
  let local = `${choose(FIRST_NAMES, k, 'email', v, 0)}.${choose(LAST_NAMES, k, 'email', v, 1)}`.toLowerCase();
  if (maxLength !== undefined) local = local.slice(0, Math.max(1, maxLength - tag.length - domain.length - 1));
  return `${local}${tag}@${domain}`;
}

/** Replaces every digit (and letter) by a keyed one, keeping the format: phones, zips, national ids. */
export function formatPreserving(k: Keyed, domain: string, v: string): string {
  let out = '';
  let bytes = k.digest(domain, v);
  let used = 0;
  let block = 0;
  for (const ch of v) {
    const isDigit = ch >= '0' && ch <= '9';
    const isUpper = ch >= 'A' && ch <= 'Z';
    const isLower = ch >= 'a' && ch <= 'z';
    if (!isDigit && !isUpper && !isLower) {
      out += ch;
      continue;
    }
    if (used === bytes.length) {
      block += 1;
      bytes = k.digest(`${domain}#${block}`, v);
      used = 0;
    }
    const b = bytes[used++]!;
    if (isDigit) out += String.fromCharCode(48 + (b % 10));
    else out += String.fromCharCode((isUpper ? 65 : 97) + (b % 26));
  }
  return out;
}

/** A phone number of the input's shape; inputs without digits get a +1 555 number. */
export function phone(k: Keyed, v: string): string {
  return /[0-9]/.test(v)
    ? formatPreserving(k, 'phone', v)
    : formatPreserving(k, 'phone', `+1-555-${v.length % 10}00-0000`);
}

export function ipv4(k: Keyed, v: string): string {
  const d = k.digest('ipv4', v);
  return `${1 + (d[0]! % 223)}.${d[1]}.${d[2]}.${1 + (d[3]! % 254)}`;
}

/** Inside 2001:db8::/32, the documentation prefix. */
export function ipv6(k: Keyed, v: string): string {
  const d = k.digest('ipv6', v);
  const groups = ['2001', 'db8'];
  for (let i = 0; i < 6; i++) groups.push(d.readUInt16BE(i * 2).toString(16));
  return groups.join(':');
}

export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let digit = payload.charCodeAt(payload.length - 1 - i) - 48;
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

export function isLuhnValid(number: string): boolean {
  return /^[0-9]{2,}$/.test(number) && luhnCheckDigit(number.slice(0, -1)) === Number(number.at(-1));
}

/** A Luhn-valid card number of the input's digit count (13–19, else 16), in the 4xxx range. */
export function cardNumber(k: Keyed, v: string): string {
  const digits = v.replace(/[^0-9]/g, '').length;
  const length = digits >= 13 && digits <= 19 ? digits : 16;
  // Keyed by the input (it follows the digits' template and is cut off): without it every card got one number.
  const body = formatPreserving(k, 'cardNumber', `${'0'.repeat(length - 2)}:${v}`).slice(0, length - 2);
  const payload = `4${body}`;
  return `${payload}${luhnCheckDigit(payload)}`;
}

/** ISO 7064 mod 97 of an IBAN rearranged to digits, computed in chunks. */
export function ibanMod97(rearranged: string): number {
  let digits = '';
  for (const ch of rearranged) digits += ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
  let rem = 0;
  for (let i = 0; i < digits.length; i += 7) rem = Number(`${rem}${digits.slice(i, i + 7)}`) % 97;
  return rem;
}

export function isIbanValid(iban: string): boolean {
  return /^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$/.test(iban) && ibanMod97(iban.slice(4) + iban.slice(0, 4)) === 1;
}

/** A German-format IBAN (22 characters) with valid check digits. */
export function iban(k: Keyed, v: string): string {
  const bban = formatPreserving(k, 'iban', `${'0'.repeat(18)}:${v}`).slice(0, 18);
  const check = 98 - ibanMod97(`${bban}DE00`);
  return `DE${String(check).padStart(2, '0')}${bban}`;
}

/** Keyed lorem ipsum about as long as the input. */
export function lorem(k: Keyed, v: string, maxLength?: number): string {
  const target = Math.max(3, Math.min(v.length, maxLength ?? Infinity));
  const out: string[] = [];
  let length = 0;
  for (let i = 0; length < target; i++) {
    const word = LOREM[k.pick(`lorem#${i >> 3}`, v, LOREM.length, i & 7)]!;
    out.push(word);
    length += word.length + 1;
  }
  const text = out.join(' ');
  return maxLength !== undefined ? text.slice(0, maxLength) : text;
}
