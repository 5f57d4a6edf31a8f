/**
 * Spans of time on the command line (`--active-within 7d`): seconds, or a number with units as in
 * relative times (`12h`, `1w2d`), without their leading minus sign.
 */
import { PdnsError } from '../errors.ts'
import { MAX_TIME } from '../query/time.ts'

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }

/** Seconds for `text`; ERR_BAD_ARGUMENT naming `option` when it is no span or a longer one than the store's time. */
export function parseDuration(text: string, option: string): number {
  const s = text.trim()
  let seconds: number | null = null
  if (/^[0-9]{1,15}$/.test(s)) seconds = Number(s)
  else if (/^(?:[0-9]{1,15}[smhdw])+$/.test(s)) {
    seconds = 0
    for (const m of s.matchAll(/([0-9]+)([smhdw])/g)) seconds += Number(m[1]) * UNIT_SECONDS[m[2]!]!
  }
  if (seconds === null || !Number.isSafeInteger(seconds) || seconds > MAX_TIME) {
    throw new PdnsError(
      'ERR_BAD_ARGUMENT',
      `${option}: '${text}' is not a span of time (seconds, or like 7d, 12h, 1w2d)`,
    )
  }
  return seconds
}
