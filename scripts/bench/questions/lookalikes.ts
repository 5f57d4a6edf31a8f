/**
 * Benchmark hooks for questions 6 and 7 (numbers, never assertions): `lookalikes` and `cname-audit`
 * timed on a given backend, and the permutation half of `lookalikes` against
 * `dnstwist --format list` (generation only, nothing resolved) in the same run. The functions are
 * for `npm run bench:questions`; run alone, this file builds a synthetic store and prints JSON:
 *
 *   node scripts/bench/questions/lookalikes.ts [--domains 2000000] [--rounds 5] [--dir DIR]
 *
 * The synthetic store holds `--domains` registered domains (DOMAIN keys written straight into the
 * index: what the scan reads), a few hundred look-alikes of the brands with real records, and a zone
 * of CNAMEs with dangling, stale and healthy ones.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { cnameAudit } from '../../../node/analysis/cname/audit.ts'
import { loadProviders } from '../../../node/analysis/cname/providers.ts'
import { type LookalikesTimings, lookalikes } from '../../../node/analysis/lookalikes/lookalikes.ts'
import { builtinLists, parseBrand, permutations } from '../../../node/analysis/lookalikes/permutations.ts'
import { typeNumber } from '../../../node/dns/constants.ts'
import { LocalBackend } from '../../../node/query/local.ts'
import type { QueryBackend } from '../../../node/query/types.ts'
import { domainKey } from '../../../node/store/keys.ts'
import type { Write } from '../../../node/store/rocks.ts'
import { Store } from '../../../node/store/store.ts'

export interface Percentiles {
  runs: number
  p50Ms: number
  p99Ms: number
}

function percentiles(ms: number[]): Percentiles {
  const s = [...ms].sort((a, b) => a - b)
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!
  return { runs: s.length, p50Ms: round(at(0.5)), p99Ms: round(at(0.99)) }
}

function round(n: number): number {
  return Math.round(n * 10) / 10
}

/** `lookalikes` per brand, `rounds` times each: wall time, and the last run's split into halves. */
export async function timeLookalikes(
  backend: QueryBackend,
  brands: readonly string[],
  rounds: number,
): Promise<{ all: Percentiles; perBrand: Record<string, LookalikesTimings & { candidates: number }> }> {
  const ms: number[] = []
  const perBrand: Record<string, LookalikesTimings & { candidates: number }> = {}
  for (let r = 0; r < rounds; r++) {
    for (const b of brands) {
      const timings = {} as LookalikesTimings
      const t = performance.now()
      const a = await lookalikes({ backend }, { domain: b }, { timings })
      ms.push(performance.now() - t)
      perBrand[b] = { ...timings, candidates: a.candidates.length }
    }
  }
  return { all: percentiles(ms), perBrand }
}

/** `cname-audit` per zone, `rounds` times each. */
export async function timeCnameAudit(
  backend: QueryBackend,
  zones: readonly string[],
  rounds: number,
): Promise<{ all: Percentiles; findings: Record<string, number> }> {
  const providers = loadProviders()
  const ms: number[] = []
  const findings: Record<string, number> = {}
  for (let r = 0; r < rounds; r++) {
    for (const z of zones) {
      const t = performance.now()
      const a = await cnameAudit({ backend, providers }, { zone: z })
      ms.push(performance.now() - t)
      findings[z] = a.findings.length
    }
  }
  return { all: percentiles(ms), findings }
}

/**
 * The permutation half against dnstwist: our generation (in process) and `dnstwist --format list`
 * (a process per brand, its Python start-up included, which is what an operator pays) for the same
 * brands, and how many names each produced. dnstwist's default fuzzers: no dictionary, no TLD file.
 */
export function compareWithDnstwist(
  brands: readonly string[],
  rounds: number,
): {
  version: string | null
  ours: Percentiles
  dnstwist: Percentiles | null
  names: Record<string, [number, number]>
} {
  const probe = spawnSync('dnstwist', ['--help'], { encoding: 'utf8' })
  const available = probe.error === undefined && probe.status === 0
  const version = available
    ? spawnSync('dpkg-query', ['-W', '-f', '\x24{Version}', 'dnstwist'], { encoding: 'utf8' }).stdout || null
    : null
  const ours: number[] = []
  const theirs: number[] = []
  const names: Record<string, [number, number]> = {}
  for (let r = 0; r < rounds; r++) {
    for (const b of brands) {
      let t = performance.now()
      const n = permutations(parseBrand(b), { words: [], tlds: [] }).size
      ours.push(performance.now() - t)
      let m = -1
      if (available) {
        t = performance.now()
        const out = spawnSync('dnstwist', ['--format', 'list', b], { encoding: 'utf8', maxBuffer: 1 << 26 })
        theirs.push(performance.now() - t)
        m = out.stdout.split('\n').filter(Boolean).length - 1
      }
      names[b] = [n, m]
    }
  }
  return { version, ours: percentiles(ours), dnstwist: available ? percentiles(theirs) : null, names }
}

// ---------------------------------------------------------------- the synthetic store

function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const SUFFIXES = [
  'com',
  'net',
  'org',
  'de',
  'co.uk',
  'io',
  'info',
  'xyz',
  'ru',
  'com.br',
  'fr',
  'nl',
  'online',
]
const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789'

/** `domains` random registered domains (labels of 4–16 characters, some hyphenated) in the DOMAIN index. */
export function fillDomains(store: Store, domains: number, seed = 1): void {
  const rand = prng(seed)
  let batch: Write[] = []
  for (let i = 0; i < domains; i++) {
    const len = 4 + Math.floor(rand() * 13)
    let label = ''
    for (let j = 0; j < len; j++) {
      label += j > 0 && j < len - 1 && rand() < 0.04 ? '-' : LETTERS[Math.floor(rand() * LETTERS.length)]
    }
    batch.push({
      put: domainKey(`${label}.${SUFFIXES[Math.floor(rand() * SUFFIXES.length)]}`),
      value: Buffer.alloc(0),
    })
    if (batch.length === 20_000) {
      store.apply([], { extra: batch })
      batch = []
    }
  }
  store.apply([], { extra: batch })
}

/** Look-alikes of the brands (every 10th permutation, plus contains-forms) and a CNAME zone, as real records. */
export function fillRecords(store: Store, brands: readonly string[], now: number): void {
  const origin = store.originId('cof:bench')
  const rec = (
    rrname: string,
    type: string,
    rdata: string,
    first: number,
    last: number,
    kind: 'rr' | 'nxdomain' = 'rr',
  ) => ({
    id: {
      kind,
      rrname,
      rrtype: typeNumber(type)!,
      bailiwick: null,
      rdata: kind === 'rr' ? rdata : '',
      origin,
    },
    value: { first, last, count: 1 },
    mode: 'max' as const,
  })
  const updates = []
  for (const b of brands) {
    const brand = parseBrand(b)
    let i = 0
    for (const name of permutations(brand, builtinLists()).keys()) {
      if (i++ % 10 === 0)
        updates.push(rec(name, 'A', '192.0.2.1', now - 86_400 * (30 + (i % 200)), now - 86_400 * (i % 30)))
    }
    updates.push(rec(`login.${brand.label}-secure-login.net`, 'A', '192.0.2.2', now - 86_400 * 3, now))
  }
  for (let i = 0; i < 2000; i++) {
    const target = i % 3 === 0 ? `app${i}.herokuapp.com` : `d${i}.cloudfront.net`
    updates.push(rec(`h${i}.corp.example.com`, 'CNAME', target, now - 86_400 * 200, now))
    if (i % 5 === 0) updates.push(rec(target, 'A', '', now - 86_400 * 20, now - 86_400 * 2, 'nxdomain'))
    else if (i % 7 !== 0)
      updates.push(rec(target, 'A', '192.0.2.3', now - 86_400 * 200, now - 86_400 * (i % 60)))
  }
  for (let i = 0; i < updates.length; i += 5000) store.apply(updates.slice(i, i + 5000))
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      domains: { type: 'string', default: '2000000' },
      rounds: { type: 'string', default: '5' },
      dir: { type: 'string' },
    },
  })
  const brands = ['paypal.com', 'example.com', 'ab.io', 'münchen.de']
  const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'pdns-bench-q67-'))
  let store = await Store.open(dir, { create: true })
  try {
    let t = performance.now()
    fillDomains(store, Number(values.domains))
    const fillDomainsMs = performance.now() - t
    t = performance.now()
    fillRecords(store, brands, Math.floor(Date.now() / 1000))
    const fillRecordsMs = performance.now() - t
    // as a store in use: reopened, so the index is read from SST files rather than memtables, and
    // given a moment for the background compactions that the reopen starts
    await store.close()
    store = await Store.open(dir, { create: false })
    await new Promise((resolve) => setTimeout(resolve, 10_000))
    const backend = LocalBackend.over(store, null)
    const rounds = Number(values.rounds)
    const out = {
      domains: Number(values.domains),
      fillDomainsMs: round(fillDomainsMs),
      fillRecordsMs: round(fillRecordsMs),
      lookalikes: await timeLookalikes(backend, brands, rounds),
      cnameAudit: await timeCnameAudit(backend, ['corp.example.com'], rounds),
      permutationsVsDnstwist: compareWithDnstwist(brands, rounds),
    }
    process.stdout.write(`${JSON.stringify(out, null, 1)}\n`)
  } finally {
    await store.close()
    if (values.dir === undefined) rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.main) await main()
