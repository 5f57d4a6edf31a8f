/**
 * The synthetic store of `npm run bench:questions` and `npm run bench:api`: records with something
 * for each question to find, every one a pure function of its registered domain's index (so the
 * harness picks typical arguments by rebuilding a few domains, without reading the store back).
 *
 *   domain d        <syllables of d>.<suffix>, first seen somewhere in the 180 days before NOW
 *   NS              one to three periods of an NS pair at a DNS provider (parent side, bailiwick the
 *                   public suffix, on even d; child side on odd d): ns-history's changes
 *   apex, www       one stable A each (www on the apex's address)
 *   hosts           0–8 more (a big zone every 4001 domains: 300): 84 % stable A, 7 % rotating (3–6
 *                   addresses of one /24 one after the other), 2 % pools (8–12 addresses at once: a
 *                   ~10-record answer), 5 % CNAMEs to cloud providers (a quarter of their targets
 *                   answered NXDOMAIN: dangling; a quarter not seen for two months: stale), 2 % AAAA
 *   flux domains    every 5003 domains: 30 names each with 10–30 short-lived A records scattered
 *                   over many /16s, TTL 60–300
 *   look-alikes     every 10th permutation of each brand (BRANDS) registered, with an A record
 *
 * IPv4 addresses lie in 11.0.0.0 onwards, spread over about N×0.8/10 /24s, so a /24 holds about 10.
 */

import { builtinLists, parseBrand, permutations } from '../../../node/analysis/lookalikes/permutations.ts'
import { typeNumber } from '../../../node/dns/constants.ts'
import type { RecordUpdate } from '../../../node/store/store.ts'
import { mix } from '../store/synth.ts'
import { SUFFIXES } from './lookalikes.ts'

export const DAY = 86_400
/** the synthetic store's "now": 2026-12-01T00:00:00Z (newest first_seen/last_seen) */
export const NOW = 1_796_083_200
/** first sightings fall in this many days before NOW */
export const SPAN_DAYS = 180
export const ORIGIN_LABEL = 'bench-q'
export const BRANDS = ['paypal.com', 'google.com', 'microsoft.com', 'amazon.com', 'netflix.com', 'münchen.de']

const HOSTS = [
  'mail',
  'api',
  'cdn',
  'shop',
  'blog',
  'app',
  'vpn',
  'dev',
  'static',
  'img',
  'm',
  'portal',
  'login',
]
const NS_PROVIDERS = [
  'awsdns-21.net',
  'cloudflare.com',
  'domaincontrol.com',
  'nsone.net',
  'googledomains.com',
  'ultradns.net',
  'dnsimple.com',
  'hetzner.de',
]
const CLOUD = [
  'cloudfront.net',
  'herokuapp.com',
  'azurewebsites.net',
  's3.amazonaws.com',
  'github.io',
  'elasticbeanstalk.com',
  'netlify.app',
  'trafficmanager.net',
]
const CONSONANTS = 'bcdfgklmnprstvz'
const VOWELS = 'aeiou'
const SYLLABLES: string[] = []
for (const c of CONSONANTS) for (const v of VOWELS) SYLLABLES.push(c + v)

const T_A = typeNumber('A')!
const T_AAAA = typeNumber('AAAA')!
const T_NS = typeNumber('NS')!
const T_CNAME = typeNumber('CNAME')!

export type HostKind = 'stable' | 'rotating' | 'pool' | 'cname' | 'aaaa' | 'flux'

/** What one domain holds, for picking arguments (the records themselves: recordsOf). */
export interface DomainPlan {
  d: number
  domain: string
  kind: 'normal' | 'big' | 'flux'
  nsPeriods: number
  hosts: { name: string; kind: HostKind; dangling?: boolean }[]
  /** the apex's IPv4 address */
  apex: string
}

/** A unique label per index (base 75 in consonant-vowel syllables, at least three). */
export function labelOf(d: number): string {
  let n = d + SYLLABLES.length ** 2
  let s = ''
  do {
    s += SYLLABLES[n % SYLLABLES.length]
    n = Math.floor(n / SYLLABLES.length)
  } while (n > 0)
  return s
}

/** /24 blocks the addresses spread over for a store of `records` records (about 10 A records each). */
export function blocksFor(records: number): number {
  return Math.max(256, Math.round((records * 0.8) / 10))
}

function ipv4(block: number, host: number): string {
  const a = (11 << 24) + block * 256 + (host & 0xff)
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`
}

function hostsOf(d: number, h: number): number {
  if (d % 4001 === 7) return 300
  if (d % 5003 === 11) return 30
  return [0, 0, 0, 1, 1, 1, 2, 2, 3, 5, 8][h % 11]!
}

function hostKind(d: number, j: number): { kind: HostKind; h: number } {
  const h = mix((d * 977 + j * 131) ^ 0x27d4eb2d)
  if (d % 5003 === 11) return { kind: j < 30 ? 'flux' : 'stable', h }
  const big = d % 4001 === 7
  const p = h % 100
  if (p < (big ? 70 : 84)) return { kind: 'stable', h }
  if (p < (big ? 78 : 91)) return { kind: 'rotating', h }
  if (p < (big ? 80 : 93)) return { kind: 'pool', h }
  if (p < 98) return { kind: 'cname', h }
  return { kind: 'aaaa', h }
}

export function planOf(d: number, records: number): DomainPlan {
  const h = mix(d ^ 0x5bd1e995)
  const domain = `${labelOf(d)}.${SUFFIXES[h % SUFFIXES.length]}`
  const kind = d % 4001 === 7 ? 'big' : d % 5003 === 11 ? 'flux' : 'normal'
  const hosts: DomainPlan['hosts'] = []
  const n = hostsOf(d, h >>> 8)
  for (let j = 0; j < n; j++) {
    const k = hostKind(d, j)
    const base = HOSTS[j % HOSTS.length]!
    const name = `${j < HOSTS.length ? base : `${base}${j}`}.${domain}`
    hosts.push(k.kind === 'cname' ? { name, kind: k.kind, dangling: k.h % 4 === 0 } : { name, kind: k.kind })
  }
  const r = (h >>> 4) % 10
  return {
    d,
    domain,
    kind,
    nsPeriods: r < 7 ? 1 : r < 9 ? 2 : 3,
    hosts,
    apex: ipv4(mix(d) % blocksFor(records), mix(d ^ 1)),
  }
}

/**
 * The records of domain `d` in a store of `records` records (the address space scales with it), all
 * of one origin. No two updates share a record, within a domain or across domains.
 */
export function recordsOf(d: number, records: number, origin: number): RecordUpdate[] {
  const plan = planOf(d, records)
  const blocks = blocksFor(records)
  const out: RecordUpdate[] = []
  const h = mix(d ^ 0x5bd1e995)
  const h2 = mix(h ^ 0xc2b2ae35)
  const first = NOW - SPAN_DAYS * DAY + (h2 % (SPAN_DAYS * DAY))
  const lastOf = (x: number) =>
    x % 10 < 8 ? NOW - (x % DAY) : first + ((x % Math.max(1, NOW - first)) >>> 0)
  const add = (
    rrname: string,
    rrtype: number,
    rdata: string,
    f: number,
    l: number,
    count: number,
    extra = {},
  ) => {
    out.push({
      id: { kind: 'rr', rrname, rrtype, bailiwick: null, rdata, origin },
      value: { first: f, last: Math.max(f, l), count },
      mode: 'add',
      ...extra,
    })
  }
  const block = (x: number) => x % blocks
  // NS periods: the pair changes provider at evenly spread times
  const suffix = plan.domain.slice(plan.domain.indexOf('.') + 1)
  const bailiwick = d % 2 === 0 ? suffix : plan.domain
  const end = Math.max(first, lastOf(h2))
  for (let p = 0; p < plan.nsPeriods; p++) {
    const from = first + Math.floor(((end - first) * p) / plan.nsPeriods)
    const to = p === plan.nsPeriods - 1 ? end : first + Math.floor(((end - first) * (p + 1)) / plan.nsPeriods)
    const provider = NS_PROVIDERS[(h + p * 3) % NS_PROVIDERS.length]!
    for (const ns of ['ns1', 'ns2']) {
      out.push({
        id: { kind: 'rr', rrname: plan.domain, rrtype: T_NS, bailiwick, rdata: `${ns}.${provider}`, origin },
        value: { first: from, last: to, count: 1 + ((h >>> p) % 50) },
        mode: 'add',
      })
    }
  }
  const apex = plan.apex
  add(plan.domain, T_A, apex, first, end, 1 + (h % 500))
  add(`www.${plan.domain}`, T_A, apex, first + (h % 3600), end, 1 + (h % 900))
  for (let j = 0; j < plan.hosts.length; j++) {
    const host = plan.hosts[j]!
    const x = mix((d * 977 + j * 131) ^ 0x27d4eb2d)
    const y = mix(x ^ 0x9e3779b9)
    const hf = first + (y % Math.max(1, NOW - first))
    const hl = lastOf(x)
    switch (host.kind) {
      case 'stable':
        add(host.name, T_A, ipv4(block(y), x >>> 8), hf, hl, 1 + (x % 300))
        break
      case 'aaaa':
        add(
          host.name,
          T_AAAA,
          `2001:db8:${(y >>> 16).toString(16)}:${(y & 0xffff).toString(16)}::${(x & 0xfff).toString(16)}`,
          hf,
          hl,
          1 + (x % 300),
        )
        break
      case 'rotating': {
        const n = 3 + (x % 4)
        const b = block(y)
        const step = Math.max(1, Math.floor((NOW - hf) / n))
        for (let i = 0; i < n; i++)
          add(host.name, T_A, ipv4(b, (x >>> 8) + i * 37), hf + i * step, hf + (i + 1) * step, 1 + i)
        break
      }
      case 'pool': {
        const n = 8 + (x % 5)
        for (let i = 0; i < n; i++)
          add(host.name, T_A, ipv4(block(y + i), x >>> (i % 8)), hf, NOW - (i % 5) * 600, 10 + i)
        break
      }
      case 'cname': {
        const cloud = CLOUD[x % CLOUD.length]!
        const target = `${labelOf(d)}-${j}.${cloud}`
        add(host.name, T_CNAME, target, hf, NOW - (x % DAY), 1 + (x % 200))
        if (host.dangling === true) {
          out.push({
            id: { kind: 'nxdomain', rrname: target, rrtype: T_A, bailiwick: null, rdata: '', origin },
            value: { first: NOW - 20 * DAY, last: NOW - 2 * DAY, count: 3 },
            mode: 'add',
          })
        } else if (y % 3 === 0) {
          // not seen resolving for two months: stale
          add(target, T_A, ipv4(block(y ^ 7), x), hf, NOW - 60 * DAY, 5)
        } else add(target, T_A, ipv4(block(y ^ 7), x), hf, NOW - (x % DAY), 5)
        break
      }
      case 'flux': {
        const n = 10 + (x % 21)
        for (let i = 0; i < n; i++) {
          const z = mix(x + i)
          const f = NOW - 30 * DAY + (z % (28 * DAY))
          // scattered over the whole space: another /16 almost every time
          add(host.name, T_A, ipv4(z % blocks, z >>> 8), f, f + DAY + (z % (2 * DAY)), 1 + (z % 40), {
            ttl: { min: 60, max: 300 },
          })
        }
        break
      }
    }
  }
  return out
}

/** Every 10th permutation of each brand, registered and resolving (what lookalikes should find). */
export function lookalikeRecords(origin: number): RecordUpdate[] {
  const out: RecordUpdate[] = []
  const lists = builtinLists()
  let k = 0
  for (const b of BRANDS) {
    let i = 0
    for (const name of permutations(parseBrand(b), lists).keys()) {
      if (i++ % 10 !== 0) continue
      const x = mix(k++ ^ 0x1234567)
      const first = NOW - (x % (SPAN_DAYS * DAY))
      out.push({
        id: { kind: 'rr', rrname: name, rrtype: T_A, bailiwick: null, rdata: ipv4(x % 256, x >>> 8), origin },
        value: { first, last: Math.min(NOW, first + (x % (30 * DAY))), count: 1 + (x % 20) },
        mode: 'add',
      })
    }
  }
  return out
}
