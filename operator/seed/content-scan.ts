import type { PiiKind } from './model';
import { ibanMod97, luhnCheckDigit } from './transform/fake-values';

// A value that looks personal is never stored in a profile, whatever the
// column is called: a column named `ref` can hold e-mail addresses, and one
// named `num` card numbers. Deliberately eager, like the name patterns: a
// false positive costs a column its most common values (synthesis falls back
// to counts, range and lengths), a false negative leaks production.

const EMAIL = /[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[a-z]{2,}/i;
/** Phone-looking: optional +, 10 to 15 digits, with the usual separators. */
const PHONE = /^\+?[\d\s().-]{10,24}$/;
const DECIMAL = /^-?\d+\.\d+(e[+-]?\d+)?$/i;
const SSN = /(^|\D)\d{3}-\d{2}-\d{4}(\D|$)/;
const NINO = /(^|[^A-Z])[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D](?![A-Z])/i;
const IBAN_SHAPE = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

/** The Luhn checksum every payment card number satisfies. */
export function luhnValid(digits: string): boolean {
  return digits.length > 1 && luhnCheckDigit(digits.slice(0, -1)) === digits.charCodeAt(digits.length - 1) - 48;
}

/** ISO 13616: move the first four characters to the end, letters to numbers, the result mod 97 is 1. */
export function ibanValid(text: string): boolean {
  const iban = text.replace(/\s+/g, '').toUpperCase();
  if (!IBAN_SHAPE.test(iban)) return false;
  return ibanMod97(iban.slice(4) + iban.slice(0, 4)) === 1;
}

/** Digit runs of card length (13–19) anywhere in the value, with spaces or dashes between groups. */
function hasCardNumber(value: string): boolean {
  for (const m of value.matchAll(/\d[\d -]{11,22}\d/g)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return true;
  }
  return false;
}

/** The kind of personal data a value looks like, or undefined. */
export function looksPersonal(value: string): PiiKind | undefined {
  if (value.length === 0) return undefined;
  // A decimal such as 57.29381723981723 is a measurement: only its whole part could be a card number.
  if (DECIMAL.test(value.trim()))
    return hasCardNumber(value.trim().split('.')[0]!.replace('-', '')) ? 'cardNumber' : undefined;
  if (value.includes('@') && EMAIL.test(value)) return 'email';
  // An IBAN's digits can pass Luhn too: it is named for what it is first.
  if (/[A-Z]{2}\d{2}/i.test(value) && value.replace(/\s+/g, '').length >= 15 && ibanValid(value)) return 'iban';
  if (hasCardNumber(value)) return 'cardNumber';
  if (SSN.test(value) || NINO.test(value)) return 'nationalId';
  if (PHONE.test(value.trim())) {
    const digits = value.replace(/\D/g, '').length;
    if (digits >= 10 && digits <= 15) return 'phone';
  }
  return undefined;
}

/** The first value in the list that looks personal, with its kind (the value itself is not returned). */
export function firstPersonal(values: Iterable<string>): PiiKind | undefined {
  for (const v of values) {
    const kind = looksPersonal(v);
    if (kind) return kind;
  }
  return undefined;
}
