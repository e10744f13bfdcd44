// Durations as DurationSchema (operator/api/common.ts) writes them: a sequence
// of number+unit pairs such as `72h`, `1h30m` or `1.5d`.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h|d))+$/;
const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)/g;

export type DurationResult = { ok: true; milliseconds: number } | { ok: false; message: string };

export function parseDuration(text: string): DurationResult {
  if (!DURATION.test(text)) return { ok: false, message: `"${text}" is not a duration such as 30m, 72h or 1h30m` };
  let milliseconds = 0;
  for (const [, amount = '0', unit = 'ms'] of text.matchAll(PART)) {
    milliseconds += Number(amount) * (UNIT_MS[unit] ?? 0);
  }
  if (!Number.isFinite(milliseconds) || milliseconds > Number.MAX_SAFE_INTEGER)
    return { ok: false, message: `"${text}" is too long` };
  return { ok: true, milliseconds: Math.round(milliseconds) };
}
