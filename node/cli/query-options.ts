/** Option values the lookup commands share (query, new, the questions): a page limit, a time, a mesh timeout. */
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

/** Longest per-peer timeout a --mesh lookup may ask for, seconds. */
const MAX_MESH_TIMEOUT_S = 600

/** `--mesh-timeout S` as milliseconds; ERR_BAD_ARGUMENT without --mesh or outside (0, 600] seconds. */
export function parseMeshTimeoutOption(text: string | undefined, mesh: boolean): number | undefined {
  if (text === undefined) return undefined
  if (!mesh) throw new PdnsError('ERR_BAD_ARGUMENT', '--mesh-timeout applies to --mesh')
  const t = Number(text)
  if (!Number.isFinite(t) || t <= 0 || t > MAX_MESH_TIMEOUT_S) {
    throw new PdnsError(
      'ERR_BAD_ARGUMENT',
      `--mesh-timeout: '${text}' (seconds, up to ${MAX_MESH_TIMEOUT_S})`,
    )
  }
  return Math.ceil(t * 1000)
}
