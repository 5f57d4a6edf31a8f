/**
 * Question 6, "which look-alikes of my brand are live?": registered domains in the store that
 * imitate a brand, found two ways — dnstwist's permutations looked up exactly (permutations.ts),
 * and a scan of every registered domain held for what permutations miss (scan.ts) — and each
 * described from its records (at and below the name): first and last seen, whether it resolves
 * (A, AAAA, MX or NS answers seen) and which vantages saw it. The one engine of the CLI command
 * and, later, of the HTTP API.
 */
import { domainToUnicode } from 'node:url'
import { getPublicSuffix } from 'tldts'
import { PdnsError } from '../../errors.ts'
import type { QueryBackend, ResultRecord } from '../../query/types.ts'
import { domainKey } from '../../store/keys.ts'
import { registeredDomain } from '../../store/registered-domain.ts'
import type { Store } from '../../store/store.ts'
import { boundedDamerau } from './distance.ts'
import {
  DEFAULT_LOOKALIKE_DISTANCE,
  DEFAULT_LOOKALIKE_LIMIT,
  LOOKUP_CONCURRENCY,
  MAX_LOOKALIKE_DISTANCE,
  MAX_LOOKALIKE_LIMIT,
  MAX_RECORDS_PER_CANDIDATE,
} from './limits.ts'
import { type Brand, parseBrand, permutations } from './permutations.ts'
import { brandMatcher, scanDomains } from './scan.ts'

export interface LookalikesArgs {
  /** the brand domain (`paypal.com`, `münchen.de`) */
  domain: string
  /** only candidates last seen at or after this time (epoch seconds) */
  since?: number
  /** Damerau–Levenshtein edits the scan accepts (default DEFAULT_LOOKALIKE_DISTANCE) */
  maxDistance?: number
  /** most candidates returned, newest first (default DEFAULT_LOOKALIKE_LIMIT) */
  limit?: number
  /** only what this vantage saw */
  origin?: string
  /** dictionary words and TLDs for the permutations (default: the built-in lists) */
  words?: readonly string[]
  tlds?: readonly string[]
}

export interface LookalikeCandidate {
  /** the look-alike name (punycode for an IDN) */
  name: string
  /** how it was found: dnstwist's fuzzer names, and the scan's contains, distance, skeleton, tld-swap */
  techniques: string[]
  /** Damerau–Levenshtein edits between its label (Unicode) and the brand's */
  distance: number
  first: number
  last: number
  /** A, AAAA, MX or NS answers were seen at or below it */
  resolves: boolean
  /** origin labels that saw it, sorted */
  vantages: string[]
}

export interface LookalikesAnswer {
  brand: string
  candidates: LookalikeCandidate[]
}

export interface LookalikesComponents {
  backend: QueryBackend
  /**
   * true (`--mesh`): look every permutation up through the backend, because its lookups reach
   * names its domain enumeration (the node's own index) does not hold
   */
  exactLookups?: boolean
}

/** Timings of one run (the benchmark reads them). */
export interface LookalikesTimings {
  permutations: number
  generateMs: number
  lookupMs: number
  scannedDomains: number
  scanMs: number
  describeMs: number
}

const RESOLVING = new Set(['A', 'AAAA', 'MX', 'NS'])

/** Checks the arguments before anything is read; ERR_BAD_ARGUMENT names the first bad one. */
export function checkLookalikesArgs(args: LookalikesArgs): {
  brand: Brand
  maxDistance: number
  limit: number
} {
  const brand = parseBrand(args.domain)
  const maxDistance = args.maxDistance ?? DEFAULT_LOOKALIKE_DISTANCE
  if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > MAX_LOOKALIKE_DISTANCE) {
    throw new PdnsError(
      'ERR_BAD_ARGUMENT',
      `--max-distance: ${args.maxDistance} (an integer from 0 to ${MAX_LOOKALIKE_DISTANCE})`,
    )
  }
  const limit = args.limit ?? DEFAULT_LOOKALIKE_LIMIT
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LOOKALIKE_LIMIT) {
    throw new PdnsError(
      'ERR_BAD_ARGUMENT',
      `--limit: ${args.limit} (an integer from 1 to ${MAX_LOOKALIKE_LIMIT})`,
    )
  }
  return { brand, maxDistance, limit }
}

export async function lookalikes(
  components: LookalikesComponents,
  args: LookalikesArgs,
  opts: { signal?: AbortSignal; timings?: LookalikesTimings } = {},
): Promise<LookalikesAnswer> {
  const { brand, maxDistance, limit } = checkLookalikesArgs(args)
  const { backend } = components
  const call = opts.signal === undefined ? {} : { signal: opts.signal }
  const found = new Map<string, Set<string>>()
  const mark = (name: string, techniques: Iterable<string>) => {
    let s = found.get(name)
    if (s === undefined) {
      s = new Set()
      found.set(name, s)
    }
    for (const t of techniques) s.add(t)
  }

  let t = performance.now()
  const perms = permutations(brand, {
    ...(args.words === undefined ? {} : { words: args.words }),
    ...(args.tlds === undefined ? {} : { tlds: args.tlds }),
  })
  const generateMs = performance.now() - t
  t = performance.now()
  const store = localStoreOf(backend)
  // Over a node's socket the scan pages through every registered domain anyway: the registered
  // permutations are found there by membership instead of a round trip each; only the others
  // (`pay.pal.com`) are looked up. The local store answers them all with one multi-get.
  const byScan = store === null && components.exactLookups !== true
  const registered = byScan ? new Set([...perms.keys()].filter((n) => registeredDomain(n) === n)) : null
  const lookups =
    registered === null ? [...perms.keys()] : [...perms.keys()].filter((n) => !registered.has(n))
  for (const name of await presentPermutations(backend, lookups, args.origin, opts.signal)) {
    mark(name, perms.get(name)!)
  }
  const lookupMs = performance.now() - t

  t = performance.now()
  const matcher = brandMatcher(brand, maxDistance)
  const combined =
    registered === null
      ? matcher
      : {
          test(domain: string, label?: string): string[] | null {
            const m = matcher.test(domain, label)
            // a local scan first tries `label.` alone: the whole name comes with the second call
            const p = domain.endsWith('.') ? null : registered.has(domain) ? perms.get(domain)! : null
            if (p === null) return m
            return m === null ? [...p] : [...m, ...p]
          },
        }
  const scan = await scanDomains(backend, combined, call, store)
  for (const h of scan.hits) mark(h.name, h.techniques)
  const scanMs = performance.now() - t

  t = performance.now()
  const candidates: LookalikeCandidate[] = []
  const names = [...found.keys()]
  const described = await mapConcurrent(names, concurrencyOf(backend), (name) =>
    describe(backend, name, args.origin, opts.signal),
  )
  for (let i = 0; i < names.length; i++) {
    const d = described[i]
    if (d === null || d === undefined) continue
    if (args.since !== undefined && d.last < args.since) continue
    candidates.push({
      name: names[i]!,
      techniques: [...found.get(names[i]!)!].sort(),
      distance: labelDistance(names[i]!, brand),
      ...d,
    })
  }
  candidates.sort(
    (a, b) => b.last - a.last || b.first - a.first || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  )
  if (opts.timings !== undefined) {
    Object.assign(opts.timings, {
      permutations: perms.size,
      generateMs,
      lookupMs,
      scannedDomains: scan.stats.domains,
      scanMs,
      describeMs: performance.now() - t,
    })
  }
  return { brand: brand.domain, candidates: candidates.slice(0, limit) }
}

/**
 * The store of a LocalBackend (the CLI's own open database, or the node's), else null. Structural,
 * so that this module does not load the store and the identity for every CLI command.
 */
export function localStoreOf(backend: QueryBackend): Store | null {
  const store = (backend as { store?: Partial<Store> }).store
  return store !== undefined && typeof store.getMany === 'function' ? (store as Store) : null
}

function concurrencyOf(backend: QueryBackend): number {
  // the local engine is synchronous: concurrency would only interleave, never overlap
  return localStoreOf(backend) === null ? LOOKUP_CONCURRENCY : 1
}

/**
 * The permutations that name something in the store. Over the local store the registered ones are
 * one multi-get of their DOMAIN keys; the rest (a `pay.pal.com` whose registered domain is
 * `pal.com`), and every one over a remote backend, are exact lookups of the name and below.
 */
async function presentPermutations(
  backend: QueryBackend,
  names: string[],
  origin: string | undefined,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const present: string[] = []
  let ask = names
  const store = localStoreOf(backend)
  if (store?.hasDomainIndex === true) {
    const registered = names.filter((n) => registeredDomain(n) === n)
    const values = store.getMany(registered.map((n) => domainKey(n)))
    const hit = new Set(registered.filter((_, i) => values[i] !== undefined))
    const asked = new Set(registered)
    // a DOMAIN hit is checked once more below when an origin narrows the view
    ask = names.filter((n) => !asked.has(n) || (origin !== undefined && hit.has(n)))
    if (origin === undefined) present.push(...hit)
  }
  const seen = await mapConcurrent(ask, concurrencyOf(backend), async (name) => {
    const page = await backend.rrset(
      { name: { kind: 'below', name }, limit: 1, ...(origin === undefined ? {} : { origin }) },
      signal === undefined ? {} : { signal },
    )
    return page.records.length > 0
  })
  for (let i = 0; i < ask.length; i++) if (seen[i] === true) present.push(ask[i]!)
  return present
}

/** First/last, resolves and vantages of a name from its records and those below it; null when none. */
async function describe(
  backend: QueryBackend,
  name: string,
  origin: string | undefined,
  signal: AbortSignal | undefined,
): Promise<Omit<LookalikeCandidate, 'name' | 'techniques' | 'distance'> | null> {
  const page = await backend.rrset(
    {
      name: { kind: 'below', name },
      limit: MAX_RECORDS_PER_CANDIDATE,
      ...(origin === undefined ? {} : { origin }),
    },
    signal === undefined ? {} : { signal },
  )
  return summarise(page.records)
}

export function summarise(
  records: readonly ResultRecord[],
): Omit<LookalikeCandidate, 'name' | 'techniques' | 'distance'> | null {
  if (records.length === 0) return null
  let first = Number.POSITIVE_INFINITY
  let last = 0
  let resolves = false
  const vantages = new Set<string>()
  for (const r of records) {
    if (r.first < first) first = r.first
    if (r.last > last) last = r.last
    if (r.kind === 'rr' && RESOLVING.has(r.rrtype)) resolves = true
    for (const v of r.vantages) vantages.add(v.origin)
  }
  return { first, last, resolves, vantages: [...vantages].sort() }
}

/** Edits between the name without its public suffix (Unicode) and the brand's label. */
export function labelDistance(name: string, brand: Brand): number {
  const suffix = getPublicSuffix(name, { allowPrivateDomains: false })
  const head = suffix !== null && name.endsWith(`.${suffix}`) ? name.slice(0, -suffix.length - 1) : name
  const u = domainToUnicode(head) || head
  const bound = Math.max([...u].length, [...brand.label].length)
  return boundedDamerau(u, brand.label, bound)
}

async function mapConcurrent<T, R>(
  items: readonly T[],
  n: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker))
  return out
}
