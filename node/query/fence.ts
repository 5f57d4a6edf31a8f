/**
 * Fences no record can satisfy. DNSDB answers contradictory fences with an error, not with an empty
 * answer that reads as "never seen"; the CLI, the HTTP API and the control socket refuse the same
 * three contradictions, each naming the fences in its own spelling.
 */
import { PdnsError } from '../errors.ts'
import type { TimeFence } from './types.ts'

/** How a caller spells each fence: `--first-after`, `time_first_after`, `first_after`. */
export type FenceNames = Readonly<Record<keyof TimeFence, string>>

/** Throws ERR_BAD_QUERY when no record's first/last seen could pass `fence` (bounds are inclusive). */
export function checkFence(fence: TimeFence | undefined, names: FenceNames): void {
  if (fence === undefined) return
  const later = (a: keyof TimeFence, b: keyof TimeFence) => {
    const x = fence[a]
    const y = fence[b]
    if (x !== undefined && y !== undefined && x > y) {
      throw new PdnsError(
        'ERR_BAD_QUERY',
        `impossible time range: ${names[a]} (${x}) is later than ${names[b]} (${y}), so no record could match`,
      )
    }
  }
  later('firstAfter', 'firstBefore')
  later('lastAfter', 'lastBefore')
  // a record is first seen no later than it is last seen
  later('firstAfter', 'lastBefore')
}

export const CLI_FENCE: FenceNames = {
  firstAfter: '--first-after',
  firstBefore: '--first-before',
  lastAfter: '--last-after',
  lastBefore: '--last-before',
}
