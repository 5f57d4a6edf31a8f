/**
 * Question 1, "is it used, and how fresh?", for one name: active means last seen within a span of
 * now (default DEFAULT_ACTIVE_WITHIN_SECONDS); the age counts whole days since the first sighting.
 * Both depend on the clock of the asker, so they are computed where the answer is shown, not stored.
 */
import { summaryToJson, summaryToTable } from '../query/format/index.ts'
import type { NameSummary } from '../query/types.ts'

const DAY = 86_400

export interface Freshness {
  /** last seen at or after now − activeWithin */
  active: boolean
  /** whole days from the first sighting to now (0 on its first day, and for clocks behind it) */
  age_days: number
  /** the span `active` was judged by, seconds */
  active_within: number
}

export function freshness(first: number, last: number, now: number, activeWithin: number): Freshness {
  return {
    active: last >= now - activeWithin,
    age_days: Math.max(0, Math.floor((now - first) / DAY)),
    active_within: activeWithin,
  }
}

/** `query name`'s summary with its freshness: `active` and `age_days` after the summary's fields. */
export function renderFreshSummary(s: NameSummary, f: Freshness, format: 'table' | 'json'): string {
  if (format === 'json') return summaryToJson(s, { active: f.active, age_days: f.age_days })
  return summaryToTable(s, [
    [
      'active',
      f.active
        ? `yes (seen within ${spanText(f.active_within)})`
        : `no (not seen within ${spanText(f.active_within)})`,
    ],
    ['age', `${f.age_days} day${f.age_days === 1 ? '' : 's'} since first seen`],
  ])
}

function spanText(seconds: number): string {
  if (seconds % DAY === 0) return `${seconds / DAY}d`
  if (seconds % 3600 === 0) return `${seconds / 3600}h`
  return `${seconds}s`
}
