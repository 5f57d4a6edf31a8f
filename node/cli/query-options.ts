/** Option values the lookup commands share (query, new, the questions): a page limit and a time. */
import { PdnsError } from '../errors.ts'
import { MAX_QUERY_LIMIT } from '../query/limits.ts'
import { parseTime } from '../query/time.ts'

/** `--limit N`: an integer from 1 to MAX_QUERY_LIMIT, else ERR_BAD_ARGUMENT. */
export function parseLimitOption(text: string): number {
  if (!/^[0-9]{1,9}$/.test(text) || Number(text) < 1 || Number(text) > MAX_QUERY_LIMIT) {
    throw new PdnsError(
      'ERR_BAD_ARGUMENT',
      `--limit: '${text}' is not an integer from 1 to ${MAX_QUERY_LIMIT} (page with --cursor)`,
    )
  }
  return Number(text)
}

/** A time option's value (parseTime), its error naming the option. */
export function parseTimeOption(option: string, text: string, nowSec: number): number {
  try {
    return parseTime(text, nowSec)
  } catch (err) {
    if (err instanceof PdnsError) throw new PdnsError(err.code, `--${option}: ${err.message}`)
    throw err
  }
}
