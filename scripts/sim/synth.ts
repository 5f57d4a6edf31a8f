/**
 * A synthetic resolver-like record mix for the scale scripts, from a seeded PRNG (the same seed gives
 * the same records). What one window flush of a recursive resolver's sensor hands the feed: the
 * distinct records seen in the window, drawn by name popularity.
 *
 *   names      Zipf(s = 0.9) over POPULAR_NAMES popular names (name popularity at resolvers is
 *              Zipf-like: Jung et al., "DNS Performance and the Effectiveness of Caching", 2002),
 *              plus a share of one-time "disposable" names (Chen et al., "DNS Noise", DSN 2014:
 *              over 60 % of the distinct records a large ISP resolver sees in a day): long hashed
 *              labels under a few AV/reputation/CDN zones, and reversed-IP DNSBL lookups
 *   domains    registered domains under a TLD mix (com half of them; co.uk, com.au, com.br as
 *              two-label public suffixes); hosts www, api, cdn, m, mail…, some CDN-style labels
 *   answers    per name (stable, a function of the name's rank): 45 % A (1–4), 18 % AAAA (1–2),
 *              20 % CNAME → CDN target + A, 3 % MX, 4 % TXT, 2 % NS, 5 % NXDOMAIN, 3 % NODATA
 *   bailiwick  half of the records (what a resolver-side sensor sees: authority sections)
 *   times      first up to 30 days back, last in the current window; cumulative counts Zipf-like
 */
import { prng } from '../../test/helpers/prng.ts'
import { mix } from '../bench/store/synth.ts'
import type { WireRecord } from './block.ts'

export const POPULAR_NAMES = 200_000
/** name popularity exponent (the rate model of mesh-sim.ts uses the same) */
export const ZIPF_S = 0.9
const T0 = 1_767_225_600 // 2026-01-01
const DAY = 86_400

const TLDS = [
  ['com', 50],
  ['net', 10],
  ['org', 6],
  ['de', 5],
  ['co.uk', 4],
  ['ru', 4],
  ['io', 3],
  ['jp', 3],
  ['com.br', 3],
  ['fr', 3],
  ['nl', 2],
  ['com.au', 2],
  ['info', 2],
  ['cn', 3],
] as const
const TLD_TOTAL = TLDS.reduce((s, [, w]) => s + w, 0)
const HOSTS = ['www', 'api', 'cdn', 'm', 'mail', 'static', 'img', 'login', 'auth', 'app', 'assets', 'edge']
const WORDS = [
  'shop',
  'news',
  'cloud',
  'media',
  'data',
  'tech',
  'play',
  'bank',
  'travel',
  'sport',
  'video',
  'mail',
  'health',
  'games',
  'home',
  'market',
]
const CDN_ZONES = ['akamaiedge.net', 'cloudfront.net', 'fastly.net', 'edgekey.net', 'azureedge.net']
const DISPOSABLE_ZONES = ['sophosxl.net', 'avts.mcafee.com', 'zen.spamhaus.org', 'e5.sk', 'dnsbl.example.net']

function tld(h: number): string {
  let x = h % TLD_TOTAL
  for (const [t, w] of TLDS) {
    if (x < w) return t
    x -= w
  }
  return 'com'
}

/** Registered domain (eTLD+1) of popular domain number d. */
export function domainName(d: number): string {
  const h = mix(d ^ 0x27d4eb2f)
  return `${WORDS[h % WORDS.length]}${d.toString(36)}.${tld(h >>> 8)}`
}

function ipv4(h: number): string {
  return `${((h >>> 24) % 223) + 1}.${(h >>> 16) & 0xff}.${(h >>> 8) & 0xff}.${h & 0xff || 1}`
}

function ipv6(h: number, g: number): string {
  return `2a0${h % 10}:${((h >>> 4) & 0xffff).toString(16)}:${(g & 0xffff).toString(16)}::${((g >>> 16) & 0xfff).toString(16)}`
}

function hex(h: number, len: number): string {
  let s = ''
  let x = h
  while (s.length < len) {
    x = mix(x + 1)
    s += x.toString(16).padStart(8, '0')
  }
  return s.slice(0, len)
}

export interface NameRecords {
  domain: string
  records: Omit<WireRecord, 'origin' | 'first' | 'last' | 'count'>[]
}

/** The records of popular name `rank` (stable: a pure function of the rank). */
export function popularName(rank: number): NameRecords {
  const h = mix(rank)
  // domains are shared by several names: about 4 names per domain, skewed
  const d = Math.floor((rank * (1 + (h % 7))) / 16)
  const domain = domainName(d)
  const zoneIp = mix(d ^ 0x9e3779b9) & 0xffffff00
  const host = (h >>> 4) % 5 === 0 ? `${hex(h, 6)}.${HOSTS[h % HOSTS.length]}` : HOSTS[h % HOSTS.length]
  const rrname = `${host}.${domain}`
  const bw = (h >>> 12) & 1 ? domain : null
  const pick = (h >>> 16) % 100
  const recs: NameRecords['records'] = []
  const a = (n: number, name = rrname, bailiwick = bw) => {
    for (let i = 0; i < n; i++)
      recs.push({
        kind: 0,
        rrtype: 1,
        rrname: name,
        bailiwick,
        rdata: ipv4((zoneIp | (mix(h + i) & 0xff)) >>> 0),
      })
  }
  if (pick < 45) a(1 + ((h >>> 24) % 4))
  else if (pick < 63) {
    for (let i = 0; i < 1 + ((h >>> 24) % 2); i++)
      recs.push({ kind: 0, rrtype: 28, rrname, bailiwick: bw, rdata: ipv6(zoneIp, mix(h + i)) })
  } else if (pick < 83) {
    const cdn = CDN_ZONES[h % CDN_ZONES.length]
    const target = `${hex(h, 4 + (h % 9))}.${cdn}`
    recs.push({ kind: 0, rrtype: 5, rrname, bailiwick: bw, rdata: target })
    a(1 + ((h >>> 24) % 2), target, (h >>> 13) & 1 ? cdn : null)
  } else if (pick < 86) {
    recs.push({ kind: 0, rrtype: 15, rrname: domain, bailiwick: bw, rdata: `10 mx${h % 3}.${domain}` })
  } else if (pick < 90) {
    recs.push({
      kind: 0,
      rrtype: 16,
      rrname: domain,
      bailiwick: bw,
      rdata:
        (h >>> 20) & 1 ? `"v=spf1 include:_spf.${domain} ~all"` : `"google-site-verification=${hex(h, 43)}"`,
    })
  } else if (pick < 92) {
    for (let i = 0; i < 2; i++)
      recs.push({ kind: 0, rrtype: 2, rrname: domain, bailiwick: bw, rdata: `ns${i + 1}.dns${h % 50}.net` })
  } else if (pick < 97) {
    recs.push({ kind: 1, rrtype: 1, rrname, bailiwick: domain, rdata: '' })
  } else {
    recs.push({ kind: 2, rrtype: 28, rrname, bailiwick: domain, rdata: '' })
  }
  return { domain, records: recs }
}

/** A one-time name (number `i`): hashed labels under an AV/reputation zone, or a DNSBL lookup. */
export function disposableName(i: number): NameRecords {
  const h = mix(i ^ 0x68e31da4)
  const zone = DISPOSABLE_ZONES[h % DISPOSABLE_ZONES.length]!
  if (zone === 'zen.spamhaus.org') {
    const rrname = `${ipv4(mix(h)).split('.').reverse().join('.')}.${zone}`
    return { domain: 'spamhaus.org', records: [{ kind: 1, rrtype: 1, rrname, bailiwick: zone, rdata: '' }] }
  }
  const rrname = `${hex(h, 32)}.${hex(h ^ 1, 8)}.${zone}`
  const domain = zone.split('.').slice(-2).join('.')
  return {
    domain,
    records: [
      {
        kind: 0,
        rrtype: 1,
        rrname,
        bailiwick: (h >>> 8) & 1 ? zone : null,
        rdata: `127.0.${h & 3}.${(h >>> 2) & 0xff}`,
      },
    ],
  }
}

/** Cumulative distribution of Zipf(s) over n ranks (rank 0 most popular). */
export function zipfCdf(n: number, s: number): Float64Array {
  const cdf = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** s
    cdf[i] = sum
  }
  for (let i = 0; i < n; i++) cdf[i]! /= sum
  return cdf
}

export function sampleCdf(cdf: Float64Array, u: number): number {
  let lo = 0
  let hi = cdf.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (cdf[mid]! < u) lo = mid + 1
    else hi = mid
  }
  return lo
}

export interface SynthOptions {
  seed: number
  origin: string
  /** share of names that are one-time (disposable) among the distinct names of a window */
  disposable?: number
}

/**
 * Batches of distinct records, as one window flush hands them to the feed: names drawn by
 * popularity until the batch is full, each name's whole answer set once.
 */
export function synthBatches(count: number, size: number, opts: SynthOptions): WireRecord[][] {
  const rand = prng(opts.seed)
  const cdf = zipfCdf(POPULAR_NAMES, ZIPF_S)
  const disposable = opts.disposable ?? 0.3
  const batches: WireRecord[][] = []
  let nextDisposable = Math.floor(rand() * 1e9)
  for (let b = 0; b < count; b++) {
    const now = T0 + 10 * b
    const seen = new Set<number>()
    const out: WireRecord[] = []
    while (out.length < size) {
      let nr: NameRecords
      let age: number
      if (rand() < disposable) {
        nr = disposableName(nextDisposable++)
        age = 0
      } else {
        const rank = sampleCdf(cdf, rand())
        if (seen.has(rank)) continue
        seen.add(rank)
        nr = popularName(rank)
        age = Math.floor(rand() * 30 * DAY)
      }
      for (const r of nr.records) {
        if (out.length >= size) break
        const count = age === 0 ? 1 : 1 + Math.floor(1 / (rand() + 1e-4))
        out.push({ ...r, origin: opts.origin, first: now - age, last: now - Math.floor(rand() * 10), count })
      }
    }
    batches.push(out)
  }
  return batches
}
