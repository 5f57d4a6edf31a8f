/** The keys outside every table of the layout: between ORIGIN# and RRSET, between DOMAIN and FEED, after DIRTY. */
import { TAG_DIRTY, TAG_DOMAIN, TAG_FEED, TAG_ORIGIN_BY_LABEL, TAG_RRSET } from '../keys.ts'
import type { Range } from '../rocks.ts'
import type { CheckContext } from './context.ts'

export async function checkUnknownTags(ctx: CheckContext): Promise<void> {
  const gaps: Range[] = [
    { gte: Uint8Array.of(TAG_ORIGIN_BY_LABEL + 1), lt: Uint8Array.of(TAG_RRSET) },
    // RRSET … TTL (0x10–0x15) and DOMAIN (0x16, lookalikes' registered domains, derived from the
    // names) are known tables
    { gte: Uint8Array.of(TAG_DOMAIN + 1), lt: Uint8Array.of(TAG_FEED) },
    { gte: Uint8Array.of(TAG_DIRTY + 1) },
  ]
  for (const gap of gaps) {
    await ctx.scanner.scan(gap, false, (batch) => {
      for (const [key] of batch)
        ctx.problems.add('unknown-key', key, `key with unknown tag 0x${hex2(key[0]!)}`)
    })
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0')
}
