/**
 * The second half of `lookalikes`: every registered domain the store holds (the DOMAIN index,
 * through QueryBackend.domains) tested against the brand for what permutations cannot enumerate:
 * the brand inside a longer label (`paypal-secure-login`), a label within a few Damerau–Levenshtein
 * edits, the same TR39 confusable skeleton, and the brand's label under any other public suffix.
 */
import { domainToUnicode } from 'node:url'
import type { CallOptions, QueryBackend } from '../../query/types.ts'
import { boundedDamerau } from './distance.ts'
import { DOMAINS_PAGE, MIN_CONTAINED_LABEL } from './limits.ts'
import type { Brand } from './permutations.ts'
import { skeleton } from './skeleton.ts'

export interface ScanHit {
  /** the registered domain */
  name: string
  techniques: string[]
}

export interface ScanStats {
  domains: number
  ms: number
}

/** What a domain's first label must be compared with, computed once per brand. */
export interface BrandMatcher {
  test(domain: string): string[] | null
}

export function brandMatcher(brand: Brand, maxDistance: number): BrandMatcher {
  const label = brand.label
  const skel = skeleton(label)
  const own = `${brand.label}.${brand.suffix}`
  const containable = [...label].length >= MIN_CONTAINED_LABEL
  return {
    test(domain) {
      const dot = domain.indexOf('.')
      if (dot <= 0) return null
      const raw = domain.slice(0, dot)
      const u = raw.startsWith('xn--') ? domainToUnicode(raw) : raw
      if (u === '' || domainToUnicode(domain) === own) return null
      const out: string[] = []
      if (u === label) {
        out.push('tld-swap')
        return out
      }
      const s = skeleton(u)
      if (s === skel) out.push('skeleton')
      else if (containable && s.includes(skel)) out.push('contains')
      if (boundedDamerau(u, label, maxDistance) <= maxDistance) out.push('distance')
      return out.length === 0 ? null : out
    },
  }
}

/** Streams every registered domain of the backend through the matcher. */
export async function scanDomains(
  backend: QueryBackend,
  matcher: BrandMatcher,
  opts: CallOptions = {},
): Promise<{ hits: ScanHit[]; stats: ScanStats }> {
  const t0 = performance.now()
  const hits: ScanHit[] = []
  let domains = 0
  let after: string | undefined
  for (;;) {
    const page = await backend.domains(
      { limit: DOMAINS_PAGE, ...(after === undefined ? {} : { after }) },
      opts.signal === undefined ? {} : { signal: opts.signal },
    )
    domains += page.domains.length
    for (const d of page.domains) {
      const t = matcher.test(d)
      if (t !== null) hits.push({ name: d, techniques: t })
    }
    if (page.cursor === null) break
    after = page.cursor
  }
  return { hits, stats: { domains, ms: performance.now() - t0 } }
}
