/** Query-string values shared by the DNSDB and native routes: times, counts, booleans, each checked. */

import { checkFence, type FenceNames } from '../../query/fence.ts'
import { parseTime } from '../../query/time.ts'
import type { TimeFence } from '../../query/types.ts'
import { badQuery } from './errors.ts'

/**
 * DNSDB's four fences; each absolute (epoch seconds, ISO 8601) or negative seconds relative to now.
 * Fences no record could pass are refused (ERR_BAD_QUERY, 400).
 */
export function fenceOf(q: URLSearchParams, names: FenceNames): TimeFence | undefined {
  const now = Math.floor(Date.now() / 1000)
  const fence: TimeFence = {}
  for (const [field, param] of Object.entries(names) as [keyof TimeFence, string][]) {
    const v = q.get(param)
    if (v === null) continue
    try {
      fence[field] = parseTime(v, now)
    } catch (err) {
      throw badQuery(`${param}: ${(err as Error).message}`)
    }
  }
  if (Object.keys(fence).length === 0) return undefined
  // contradictory fences are a 400 as in DNSDB, not an empty answer that reads as "never seen"
  checkFence(fence, names)
  return fence
}

export const DNSDB_FENCE = {
  firstAfter: 'time_first_after',
  firstBefore: 'time_first_before',
  lastAfter: 'time_last_after',
  lastBefore: 'time_last_before',
} as const

export const NATIVE_FENCE = {
  firstAfter: 'first_after',
  firstBefore: 'first_before',
  lastAfter: 'last_after',
  lastBefore: 'last_before',
} as const

/** A non-negative integer parameter, or `absent` when not given. */
export function count(q: URLSearchParams, name: string, max: number, absent: number): number {
  const v = q.get(name)
  if (v === null || v === '') return absent
  if (!/^[0-9]{1,15}$/.test(v) || Number(v) > max) {
    throw badQuery(`${name}: expected an integer from 0 to ${max}, got ${JSON.stringify(v.slice(0, 40))}`)
  }
  return Number(v)
}

/** DNSDB's booleans: t/true/1 and f/false/0. */
export function flag(q: URLSearchParams, name: string, absent: boolean): boolean {
  const v = q.get(name)
  if (v === null || v === '') return absent
  if (/^(t|true|1|y|yes)$/i.test(v)) return true
  if (/^(f|false|0|n|no)$/i.test(v)) return false
  throw badQuery(`${name}: expected true or false, got ${JSON.stringify(v.slice(0, 40))}`)
}

/** One time parameter (absolute, or negative seconds relative to now), or undefined when absent. */
export function timeParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name)
  if (v === null) return undefined
  try {
    return parseTime(v, Math.floor(Date.now() / 1000))
  } catch (err) {
    throw badQuery(`${name}: ${(err as Error).message}`)
  }
}
