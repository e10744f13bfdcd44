const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/**
 * Moves a date, timestamp or timestamptz (PostgreSQL's ISO text) by whole
 * days, keeping the time of day and zone as written; infinities and BC dates
 * are left alone.
 */
export function shiftDateText(value: string, days: number): string {
  const m = ISO_DATE.exec(value);
  if (!m || value.endsWith(' BC')) return value;
  const shifted = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days));
  // Date.UTC maps years 0–99 into the 1900s; setUTCFullYear puts them back.
  if (Number(m[1]) < 100) shifted.setUTCFullYear(shifted.getUTCFullYear() - 1900);
  const y = String(shifted.getUTCFullYear()).padStart(4, '0');
  const mo = String(shifted.getUTCMonth() + 1).padStart(2, '0');
  const d = String(shifted.getUTCDate()).padStart(2, '0');
  return `${y}-${mo}-${d}${value.slice(10)}`;
}

/** Days since 1970-01-01 (fractional for timestamps), for distribution distances; NaN when unparsable. */
export function dateTextToEpochDays(value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}(?:\.\d+)?))?(?:([+-])(\d{2})(?::?(\d{2}))?)?$/.exec(
    value,
  );
  if (!m) return Number.NaN;
  let ms =
    Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), 0) +
    Number(m[6] ?? 0) * 1000;
  if (m[7]) ms -= (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9] ?? 0)) * 60_000;
  return ms / 86_400_000;
}

/** The inverse of dateTextToEpochDays, in the column's text form. */
export function epochDaysToText(days: number, baseType: 'date' | 'timestamp' | 'timestamptz'): string {
  const iso = new Date(Math.round(days * 86_400_000)).toISOString();
  if (baseType === 'date') return iso.slice(0, 10);
  const text = `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  return baseType === 'timestamptz' ? `${text}+00` : text;
}
