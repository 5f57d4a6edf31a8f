/**
 * Durations in the config file are strings with a unit — "10s", "5m", "1h", "90d" — so a value reads the
 * same in the file as in the docs, and a bare number (seconds? milliseconds?) is never guessed at.
 */

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** Milliseconds of a duration string, or null when it is not one. */
export function parseDuration(text: string): number | null {
  const m = /^([0-9]{1,7})(s|m|h|d)$/.exec(text)
  if (m === null) return null
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]
}

/** The shortest duration string for whole seconds: 10000 → "10s", 300000 → "5m", 3600000 → "1h". */
export function formatDuration(ms: number): string {
  if (ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`
  if (ms % UNIT_MS.m === 0) return `${ms / UNIT_MS.m}m`
  return `${Math.round(ms / UNIT_MS.s)}s`
}
