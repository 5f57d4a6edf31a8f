/**
 * The second half of `lookalikes`: every registered domain the store holds (the DOMAIN index,
 * through QueryBackend.domains) tested against the brand for what permutations cannot enumerate:
 * the brand inside a longer label (`paypal-secure-login`), a label within a few Damerau–Levenshtein
 * edits, the same TR39 confusable skeleton, and the brand's label under any other public suffix.
 */
import { domainToUnicode } from 'node:url'
import { PdnsError } from '../../errors.ts'
import type { CallOptions, QueryBackend } from '../../query/types.ts'
import { DOMAIN_RANGE, decodeDomainKey } from '../../store/keys.ts'
import type { Store } from '../../store/store.ts'
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
  /** `label`: the domain's first label when the caller has it already (the local scan slices it from the key) */
  test(domain: string, label?: string): string[] | null
}

export function brandMatcher(brand: Brand, maxDistance: number): BrandMatcher {
  const label = brand.label
  const skel = skeleton(label)
  // the brand's own registered domain, ASCII as the index holds it
  const own = brand.domain
    .split('.')
    .slice(-1 - brand.suffix.split('.').length)
    .join('.')
  const containable = [...label].length >= MIN_CONTAINED_LABEL
  return {
    test(domain, label0) {
      const dot = domain.indexOf('.')
      if (dot <= 0) return null
      const raw = label0 ?? domain.slice(0, dot)
      const u = raw.startsWith('xn--') ? domainToUnicode(raw) : raw
      if (u === '' || domain === own) return null
      const out: string[] = []
      if (u === label) {
        out.push('tld-swap')
        return out
      }
      const s = skeleton(u)
      if (s === skel) out.push('skeleton')
      else if (containable && s.includes(skel)) out.push('contains')
      // lengths alone rule most labels out (an ASCII label's length is its number of characters)
      const near = u === raw ? Math.abs(u.length - label.length) <= maxDistance : true
      if (near && boundedDamerau(u, label, maxDistance) <= maxDistance) out.push('distance')
      return out.length === 0 ? null : out
    },
  }
}

/**
 * Streams every registered domain of the backend through the matcher. Over the local store the
 * DOMAIN keys are read straight from the index and only their first label is turned into text (the
 * domain as a whole only for a hit): the scan is bound by the iterator, not by decoding. Any other
 * backend pages through QueryBackend.domains.
 */
export async function scanDomains(
  backend: QueryBackend,
  matcher: BrandMatcher,
  opts: CallOptions = {},
  store: Store | null = null,
): Promise<{ hits: ScanHit[]; stats: ScanStats }> {
  const t0 = performance.now()
  const hits: ScanHit[] = []
  let domains = 0
  if (store?.hasDomainIndex === true) {
    let n = 0
    for (const rows of store.keyTexts(DOMAIN_RANGE)) {
      if (opts.signal?.aborted) throw new PdnsError('ERR_ABORTED', 'cancelled', { cause: opts.signal.reason })
      for (let i = 0; i < rows.length; i += 2) {
        // `\x16 label \0 label \0 … \0`: registered domains are letters, digits, '-' and '_', so
        // no label holds an escaped octet and the key's text is the labels' text
        const key = rows[i]!
        const end = key.indexOf('\0', 1)
        const label = key.slice(1, end)
        const t = matcher.test(`${label}.`, label)
        if (t === null) continue
        const name = decodeDomainKey(Buffer.from(key, 'utf8'))
        if (name === null)
          throw new PdnsError('ERR_DB_CORRUPT', `undecodable DOMAIN key ${JSON.stringify(key)}`)
        // the brand's own domain is known by its whole name: test it again in full
        const again = matcher.test(name, label)
        if (again !== null) hits.push({ name, techniques: again })
      }
      n += rows.length / 2
      domains += rows.length / 2
      // a node answers this while it captures: let its event loop run between chunks
      if (n >= 200_000) {
        n = 0
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    return { hits, stats: { domains, ms: performance.now() - t0 } }
  }
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
