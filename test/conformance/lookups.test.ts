/**
 * Conformance of lookups: every corpus capture goes into one store through the real write path
 * (Sensor → Recorder → AggregationWindow → Store), then the query engine answers exact, wildcard,
 * rdata (address, CIDR, range, host name) lookups, paging and time fences. Every expectation is
 * computed from the tshark golds alone, never from the store:
 *
 * - expected: tuples (rrname, rrtype, rdata) of comparable gold lines of class IN, less those
 *   known-differences.tsv lists as `missing`; a lookup must return every expected tuple it covers;
 * - allowed: tuples of any gold line (any capture, section or class, comparable or not), or matching
 *   a known `extra` entry; a lookup must return nothing else (the store keeps no section, keeps only
 *   class IN, and may keep records tshark could not render).
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { BlockList } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { isPdnsError } from '../../node/errors.ts'
import { Recorder } from '../../node/ingest/recorder.ts'
import { AggregationWindow } from '../../node/ingest/window.ts'
import { LocalBackend } from '../../node/query/local.ts'
import { parseNamePattern, parseRawHex, parseRdataTarget, parseType } from '../../node/query/parse.ts'
import type {
  NamePattern,
  RdataQuery,
  RdataTarget,
  ResultRecord,
  RrsetQuery,
  TimeFence,
} from '../../node/query/types.ts'
import { Sensor } from '../../node/sensor/index.ts'
import { isValidName } from '../../node/store/keys.ts'
import { Store } from '../../node/store/store.ts'
import { CORPUS_DIR, corpusCaptures, requireCorpus } from '../helpers/shared.ts'
import { type Allowance, comparable, matches, readAllowances, readGold } from './corpus.ts'

/** The ports corpus.test.ts gives the sensor (tshark's DNS, mDNS and LLMNR). */
const PORTS = new Set([53, 5353, 5355])
/** Large enough that no lookup here is cut: one page holds the whole answer. */
const ALL = 1_000_000
const RR_ONLY = ['rr'] as const

// ---------------------------------------------------------------- names and addresses (independent of the store)

/** Labels of a presentation name, split on unescaped dots (`\.` and `\DDD` stay inside a label). */
function labelsOf(name: string): string[] {
  if (name === '.') return []
  const out: string[] = []
  let cur = ''
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!
    if (c === '\\') {
      const n = /^[0-9]{3}/.test(name.slice(i + 1, i + 4)) ? 4 : 2
      cur += name.slice(i, i + n)
      i += n - 1
    } else if (c === '.') {
      out.push(cur)
      cur = ''
    } else {
      cur += c
    }
  }
  out.push(cur)
  return out
}

function atOrBelow(name: string, zone: string): boolean {
  const n = labelsOf(name)
  const z = labelsOf(zone)
  if (n.length < z.length) return false
  for (let i = 1; i <= z.length; i++) if (n[n.length - i] !== z[z.length - i]) return false
  return true
}

/** The last two labels (a registrable-ish zone); null for names of fewer labels. */
function zoneOf(name: string): string | null {
  const l = labelsOf(name)
  return l.length < 2 ? null : l.slice(-2).join('.')
}

/** The eight 16-bit groups of an RFC 5952 address, written out in full. */
function ipv6Groups(addr: string): string[] {
  let s = addr
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s)
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number]
    s = `${s.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = s.split('::') as [string, string | undefined]
  const h = head === '' ? [] : head.split(':')
  const t = tail === undefined || tail === '' ? [] : tail.split(':')
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0')
  return [...h, ...fill, ...t].map((g) => g.padStart(4, '0'))
}

/** The CIDR text of `addr`'s prefix of `bits` (IPv4 bits a multiple of 8, IPv6 of 16). */
function prefixOf(addr: string, bits: number): string {
  if (addr.includes(':')) {
    const g = ipv6Groups(addr).slice(0, bits / 16)
    return `${g.join(':')}${g.length < 8 ? '::' : ''}/${bits}`
  }
  const o = addr.split('.').slice(0, bits / 8)
  while (o.length < 4) o.push('0')
  return `${o.join('.')}/${bits}`
}

function ipv4Number(addr: string): number {
  return addr.split('.').reduce((n, o) => n * 256 + Number(o), 0)
}

// ---------------------------------------------------------------- small helpers

const tuple = (rrname: string, rrtype: string, rdata: string): string => `${rrname}\t${rrtype}\t${rdata}`
const recTuple = (r: ResultRecord): string => tuple(r.rrname, r.rrtype, r.rdata)
/** A record's full identity in the store (one tuple can be several records: bailiwicks, kinds). */
const recKey = (r: ResultRecord): string => `${r.kind}\t${recTuple(r)}\t${r.bailiwick}`

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

/** The `n` keys with the most values, ties broken by key so the choice is deterministic. */
function topKeys(counts: Map<string, number>, n: number): string[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, n)
    .map((e) => e[0])
}

function inc(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by)
}

/** Seconds of tshark's frame.time_epoch (a string truncated to µs), floored as the recorder does. */
function goldSeconds(ts: string): number {
  return Math.floor(Number(ts.split('.')[0]))
}

/** The name an rdata points at, per the gold schema's rdata forms; null for other types. */
function goldTarget(rrtype: string, rdata: string): string | null {
  const field = { NS: 0, CNAME: 0, PTR: 0, DNAME: 0, MX: 1, SRV: 3, SVCB: 1, HTTPS: 1 }[rrtype]
  return field === undefined ? null : (rdata.split(' ')[field] ?? null)
}

// ---------------------------------------------------------------- what the golds say

interface GoldTuple {
  rrname: string
  rrtype: string
  rdata: string
  first: number
  last: number
  /** gold response lines carrying the tuple, over every capture and section */
  lines: number
  /** every line is comparable, class IN, from a clean capture (see readGolds): times and counts must agree */
  agrees: boolean
}

interface Gold {
  captures: string[]
  /** tuple key → what the golds say about it, for every gold line with rdata */
  tuples: Map<string, GoldTuple>
  /** tuple keys a lookup must find */
  expected: Set<string>
  allowances: Allowance[]
}

function readGolds(): Gold {
  const allowances = readAllowances()
  const captures = corpusCaptures()
  const tuples = new Map<string, GoldTuple>()
  const expected = new Set<string>()
  const listedMissing = (capture: string, fields: string[]) =>
    allowances.some(
      (a) =>
        a.capture === capture &&
        a.direction === 'missing' &&
        a.pattern.every((p, i) => matches(p, fields[i]!)),
    )
  for (const capture of captures) {
    const lines = readGold(capture)
    // Times and counts are judged only on captures tshark read to the end and the sensor agrees with
    // completely: in a frame tshark calls malformed or incomplete it stops early, while the sensor may
    // read further and count one more occurrence of a record seen elsewhere (fuzz-2006-06-26-2594:
    // cybercity.dk NS ns2.cybercity.dk after a fuzzed A6), which no gold line can show.
    const clean =
      !allowances.some((a) => a.capture === capture) && !lines.some((g) => g.malformed || g.incomplete)
    for (const g of lines) {
      if (g.rdata === null) continue
      const key = tuple(g.rrname, g.rrtype, g.rdata)
      const s = goldSeconds(g.ts)
      let e = tuples.get(key)
      if (e === undefined) {
        e = { rrname: g.rrname, rrtype: g.rrtype, rdata: g.rdata, first: s, last: s, lines: 0, agrees: true }
        tuples.set(key, e)
      }
      e.first = Math.min(e.first, s)
      e.last = Math.max(e.last, s)
      e.lines++
      const ok = comparable(g) && g.class === 'IN'
      if (!ok || !clean) e.agrees = false
      if (ok && !listedMissing(capture, [g.section, g.rrname, g.rrtype, g.rdata])) expected.add(key)
    }
  }
  // a tuple the sensor reports from traffic tshark does not show (an `extra` entry of any capture) can
  // carry observations no gold line accounts for
  for (const e of tuples.values()) if (listedExtra(allowances, e.rrname, e.rrtype, e.rdata)) e.agrees = false
  return { captures, tuples, expected, allowances }
}

/** A returned record the golds account for: some gold line carries it, or a known `extra` entry covers it. */
function accounted(gold: Gold, r: ResultRecord): boolean {
  if (r.kind !== 'rr') return false
  return gold.tuples.has(recTuple(r)) || listedExtra(gold.allowances, r.rrname, r.rrtype, r.rdata)
}

/** A known `extra` entry of any capture covers the tuple (the store keeps no section or capture). */
function listedExtra(allowances: Allowance[], rrname: string, rrtype: string, rdata: string): boolean {
  const fields = [rrname, rrtype, rdata]
  return allowances.some(
    (a) => a.direction === 'extra' && a.pattern.slice(1).every((p, i) => matches(p, fields[i]!)),
  )
}

// ---------------------------------------------------------------- the store, filled once

let gold: Gold
let backend: LocalBackend
let dataDir: string
let importNote = ''

async function rrset(
  name: NamePattern,
  extra: { rrtype?: number; fence?: TimeFence } = {},
): Promise<ResultRecord[]> {
  const page = await backend.rrset({ name, kinds: RR_ONLY, limit: ALL, ...extra })
  assert.equal(page.cursor, null, `a lookup of ${JSON.stringify(name)} did not fit one page`)
  return page.records
}

async function rdata(target: RdataTarget): Promise<ResultRecord[]> {
  const page = await backend.rdata({ target, limit: ALL })
  assert.equal(page.cursor, null, `an rdata lookup did not fit one page`)
  return page.records
}

interface Tally {
  lookups: number
  expected: number
  returned: number
  missing: string[]
  unaccounted: string[]
  /** returned records outside what the lookup asked for (wrong name, type or address) */
  stray: string[]
}

const tally = (): Tally => ({ lookups: 0, expected: 0, returned: 0, missing: [], unaccounted: [], stray: [] })

/**
 * One lookup against the golds: every expected tuple is returned, every returned record is accounted
 * for and satisfies `fits` (it belongs to what was asked).
 */
function compare(
  s: Tally,
  what: string,
  want: Iterable<string>,
  got: readonly ResultRecord[],
  fits: (r: ResultRecord) => boolean,
): void {
  s.lookups++
  const have = new Set(got.map(recTuple))
  for (const k of want) {
    s.expected++
    if (!have.has(k)) s.missing.push(`${what}: ${k}`)
  }
  for (const r of got) {
    s.returned++
    if (!accounted(gold, r)) s.unaccounted.push(`${what}: ${recTuple(r)}`)
    if (!fits(r)) s.stray.push(`${what}: ${recKey(r)}`)
  }
}

function report(t: { diagnostic(msg: string): void }, name: string, s: Tally): void {
  t.diagnostic(
    `${name}: ${s.lookups} lookups, ${s.expected - s.missing.length}/${s.expected} expected tuples found` +
      `${s.missing.length > 0 ? ` (${s.missing.length} MISSING)` : ''}, ${s.returned} records returned`,
  )
  assert.deepEqual(s.missing.slice(0, 20), [], `${s.missing.length} expected tuples not returned`)
  assert.deepEqual(
    s.unaccounted.slice(0, 20),
    [],
    `${s.unaccounted.length} returned records no gold accounts for`,
  )
  assert.deepEqual(s.stray.slice(0, 20), [], `${s.stray.length} returned records outside the lookup`)
}

function expectedWhere(pred: (t: GoldTuple) => boolean): string[] {
  const out: string[] = []
  for (const k of gold.expected) if (pred(gold.tuples.get(k)!)) out.push(k)
  return out
}

const corpusPresent = existsSync(resolve(CORPUS_DIR, 'MANIFEST.tsv'))

describe('lookups over the whole shared corpus agree with sets computed from the tshark golds', () => {
  before(async () => {
    if (!corpusPresent) return
    const started = performance.now()
    gold = readGolds()
    dataDir = await mkdtemp(join(tmpdir(), 'pdns-lookups-'))
    const store = await Store.open(dataDir, { create: true })
    const window = new AggregationWindow(store, { flushIntervalMs: 0 })
    const recorder = new Recorder({ window }, store.originId('test'))
    const errors: string[] = []
    for (const capture of gold.captures) {
      const sensor = new Sensor({ ports: PORTS, clientAddresses: false }, recorder.observe)
      try {
        await sensor.ingestFile(resolve(CORPUS_DIR, capture))
      } catch (err) {
        // damaged captures: what was read before the damage is kept (corpus.test.ts lists the errors)
        if (!isPdnsError(err)) throw err
        errors.push(err.code)
      }
      sensor.flush()
    }
    window.stop()
    await store.close()
    backend = await LocalBackend.open(dataDir)
    const ws = window.stats()
    importNote =
      `${gold.captures.length} captures imported in ${Math.round(performance.now() - started)} ms ` +
      `(${errors.length} damaged), ${ws.inserted} records; recorder ${JSON.stringify(recorder.counters.toJSON())}; ` +
      `golds: ${gold.tuples.size} tuples, ${gold.expected.size} expected`
  })

  after(async () => {
    await backend?.close()
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true })
  })

  test('an exact lookup of every gold owner name returns its expected records and nothing unaccounted', async (t) => {
    if (!requireCorpus(t, 'exact lookups')) return
    t.diagnostic(importNote)
    const owners = [...new Set([...gold.tuples.values()].map((g) => g.rrname))]
    // fuzzed owners that are no domain name (a label over 63 octets…) cannot be stored or asked for
    const names = owners.filter(isValidName).sort()
    const wantByName = new Map<string, string[]>()
    const wantByType = new Map<string, string[]>()
    for (const k of gold.expected) {
      const g = gold.tuples.get(k)!
      push(wantByName, g.rrname, k)
      push(wantByType, `${g.rrname}\t${g.rrtype}`, k)
    }
    const s = tally()
    for (const name of names) {
      const got = await rrset({ kind: 'exact', name })
      compare(s, name, wantByName.get(name) ?? [], got, (r) => r.rrname === name)
    }
    report(
      t,
      `exact names (${names.length} distinct gold owners, ${owners.length - names.length} invalid)`,
      s,
    )
    assert.ok(names.length > 1000, `only ${names.length} owner names in the golds`)

    // as a user types them (DNSDB text: any case, a trailing dot): the same answer
    const typedNames = names.filter((n) => /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(n))
    const asTyped = tally()
    for (const name of typedNames) {
      const got = await rrset(parseNamePattern(`${name.toUpperCase()}.`))
      compare(asTyped, name, wantByName.get(name) ?? [], got, (r) => r.rrname === name)
    }
    report(t, 'exact names typed in upper case with a trailing dot', asTyped)

    // the same per (name, type): the type-narrowed range of the RRSET index
    const typed = tally()
    for (const [nt, want] of [...wantByType.entries()].sort()) {
      const [name, type] = nt.split('\t') as [string, string]
      const got = await rrset({ kind: 'exact', name }, { rrtype: parseType(type) })
      compare(typed, nt, want, got, (r) => r.rrname === name && r.rrtype === type)
    }
    report(t, `exact (name, type) pairs`, typed)
  })

  test('left wildcards (*.zone) return every expected record at or below the zone', async (t) => {
    if (!requireCorpus(t, 'left-wildcard lookups')) return
    const s = tally()
    for (const zone of leftZones()) {
      const got = await rrset(parseNamePattern(`*.${zone}`))
      const want = expectedWhere((g) => atOrBelow(g.rrname, zone))
      compare(s, `*.${zone}`, want, got, (r) => atOrBelow(r.rrname, zone))
    }
    report(t, `left wildcards (${leftZones().join(' ')})`, s)
  })

  test('one-label wildcards (+.zone) return every expected record exactly one label below the zone', async (t) => {
    if (!requireCorpus(t, 'one-label wildcard lookups')) return
    const parents = new Map<string, number>()
    for (const name of expectedNames()) {
      const l = labelsOf(name)
      if (l.length >= 2) inc(parents, l.slice(1).join('.'))
    }
    const zones = topKeys(parents, 6)
    const s = tally()
    for (const zone of zones) {
      const depth = labelsOf(zone).length + 1
      const oneBelow = (name: string) => atOrBelow(name, zone) && labelsOf(name).length === depth
      const got = await rrset(parseNamePattern(`+.${zone}`))
      compare(
        s,
        `+.${zone}`,
        expectedWhere((g) => oneBelow(g.rrname)),
        got,
        (r) => oneBelow(r.rrname),
      )
    }
    report(t, `one-label wildcards (${zones.join(' ')})`, s)
  })

  test('right wildcards (www.*) return every expected record whose name starts with the labels', async (t) => {
    if (!requireCorpus(t, 'right-wildcard lookups')) return
    const s = tally()
    const leadings = rightLeadings()
    for (const leading of leadings) {
      const lead = labelsOf(leading)
      const startsWith = (name: string) => {
        const l = labelsOf(name)
        return l.length > lead.length && lead.every((x, i) => l[i] === x)
      }
      const got = await rrset(parseNamePattern(`${leading}.*`))
      compare(
        s,
        `${leading}.*`,
        expectedWhere((g) => startsWith(g.rrname)),
        got,
        (r) => startsWith(r.rrname),
      )
    }
    report(t, `right wildcards (${leadings.join(' ')})`, s)
  })

  test('an rdata lookup of every gold address returns every expected record pointing at it', async (t) => {
    if (!requireCorpus(t, 'rdata lookups by address')) return
    const byAddress = new Map<string, string[]>()
    for (const g of gold.tuples.values()) {
      if (g.rrtype === 'A' || g.rrtype === 'AAAA') byAddress.set(g.rdata, [])
    }
    for (const k of gold.expected) {
      const g = gold.tuples.get(k)!
      if (g.rrtype === 'A' || g.rrtype === 'AAAA') byAddress.get(g.rdata)!.push(k)
    }
    const s = tally()
    const raw = tally()
    let v6 = 0
    for (const [addr, want] of [...byAddress.entries()].sort()) {
      const target = parseRdataTarget(addr)
      assert.equal(target.kind, 'address', addr)
      if (addr.includes(':')) v6++
      const got = await rdata(target)
      const type = addr.includes(':') ? 'AAAA' : 'A'
      compare(s, addr, want, got, (r) => r.rrtype === type && r.rdata === addr)
      // DNSDB's rdata/raw: the address bytes in hex
      const hex = addr.includes(':')
        ? ipv6Groups(addr).join('')
        : addr
            .split('.')
            .map((o) => Number(o).toString(16).padStart(2, '0'))
            .join('')
      compare(
        raw,
        `raw ${hex}`,
        want,
        await rdata(parseRawHex(hex)),
        (r) => r.rrtype === type && r.rdata === addr,
      )
    }
    report(t, 'the same addresses as raw hex', raw)
    report(t, `addresses (${byAddress.size - v6} IPv4, ${v6} IPv6)`, s)
  })

  test('CIDR and range lookups return exactly the gold A/AAAA records inside them', async (t) => {
    if (!requireCorpus(t, 'rdata lookups by prefix')) return
    const v4 = new Set<string>()
    const v6 = new Set<string>()
    for (const k of gold.expected) {
      const g = gold.tuples.get(k)!
      if (g.rrtype === 'A') v4.add(g.rdata)
      else if (g.rrtype === 'AAAA') v6.add(g.rdata)
    }
    const queries: { text: string; family: 'ipv4' | 'ipv6'; list: BlockList }[] = []
    const cidr = (addrs: Set<string>, bits: number, n: number, family: 'ipv4' | 'ipv6') => {
      const counts = new Map<string, number>()
      for (const a of addrs) inc(counts, prefixOf(a, bits))
      for (const p of topKeys(counts, n)) {
        const list = new BlockList()
        const [net, len] = p.split('/') as [string, string]
        list.addSubnet(net, Number(len), family)
        queries.push({ text: p, family, list })
      }
    }
    for (const bits of [8, 16, 24]) cidr(v4, bits, 2, 'ipv4')
    for (const bits of [32, 48, 64]) cidr(v6, bits, 2, 'ipv6')
    // DNSDB's comma form of the busiest /24
    const slash24 = queries.find((q) => q.text.endsWith('/24'))!
    queries.push({ ...slash24, text: slash24.text.replace('/', ',') })
    const sorted4 = [...v4].sort((a, b) => ipv4Number(a) - ipv4Number(b))
    const sorted6 = [...v6].sort((a, b) => (ipv6Groups(a).join() < ipv6Groups(b).join() ? -1 : 1))
    for (const [sorted, family] of [
      [sorted4, 'ipv4'],
      [sorted6, 'ipv6'],
    ] as const) {
      const lo = sorted[Math.floor(sorted.length / 4)]!
      const hi = sorted[Math.floor(sorted.length / 2)]!
      const list = new BlockList()
      list.addRange(lo, hi, family)
      queries.push({ text: `${lo}-${hi}`, family, list })
    }
    const s = tally()
    for (const q of queries) {
      const type = q.family === 'ipv4' ? 'A' : 'AAAA'
      const inside = (rrtype: string, addr: string) => rrtype === type && q.list.check(addr, q.family)
      const got = await rdata(parseRdataTarget(q.text))
      const want = expectedWhere((g) => inside(g.rrtype, g.rdata))
      assert.ok(want.length > 0, `${q.text}: no gold address inside`)
      compare(s, q.text, want, got, (r) => inside(r.rrtype, r.rdata))
    }
    report(t, `prefixes and ranges (${queries.map((q) => q.text).join(' ')})`, s)
  })

  test('an rdata lookup of every gold target name returns every expected record pointing at it', async (t) => {
    if (!requireCorpus(t, 'rdata lookups by name')) return
    const byTarget = new Map<string, string[]>()
    for (const g of gold.tuples.values()) {
      const target = goldTarget(g.rrtype, g.rdata)
      if (target !== null && isValidName(target)) byTarget.set(target, [])
    }
    for (const k of gold.expected) {
      const g = gold.tuples.get(k)!
      const target = goldTarget(g.rrtype, g.rdata)
      if (target !== null && byTarget.has(target)) byTarget.get(target)!.push(k)
    }
    const s = tally()
    for (const [name, want] of [...byTarget.entries()].sort()) {
      const got = await rdata({ kind: 'name', name, below: false })
      compare(s, name, want, got, (r) => goldTarget(r.rrtype, r.rdata) === name)
    }
    report(t, `target names (${byTarget.size} distinct)`, s)

    const below = tally()
    const chosen = targetZones()
    for (const zone of chosen) {
      const under = (r: { rrtype: string; rdata: string }) => {
        const target = goldTarget(r.rrtype, r.rdata)
        return target !== null && atOrBelow(target, zone)
      }
      const got = await rdata(parseRdataTarget(`*.${zone}`))
      compare(below, `*.${zone}`, expectedWhere(under), got, under)
    }
    report(t, `target wildcards (${chosen.map((z) => `*.${z}`).join(' ')})`, below)
  })

  test('paging with a limit of 7 walks the largest wildcard answers exactly, in order, without duplicates', async (t) => {
    if (!requireCorpus(t, 'paging')) return
    /** the largest answer among the patterns, of those with records of at least `types` types */
    const largest = async (patterns: string[], types = 1) => {
      let best = { text: '', records: [] as ResultRecord[] }
      for (const text of patterns) {
        const records = await rrset(parseNamePattern(text))
        if (new Set(records.map((r) => r.rrtype)).size < types) continue
        if (records.length > best.records.length) best = { text, records }
      }
      return best
    }
    /** the commonest type of a result: a type filter that still skips records of other types */
    const commonestType = (records: ResultRecord[]) => {
      const counts = new Map<string, number>()
      for (const r of records) inc(counts, r.rrtype)
      return topKeys(counts, 1)[0]!
    }
    const left = await largest(leftZones().map((z) => `*.${z}`))
    const mixed = await largest(
      leftZones().map((z) => `*.${z}`),
      2,
    )
    const right = await largest(rightLeadings().map((l) => `${l}.*`))
    const mixedType = commonestType(mixed.records)
    const rightType = commonestType(right.records)
    const lookups: { what: string; rrset?: RrsetQuery; rdata?: RdataQuery }[] = [
      { what: left.text, rrset: { name: parseNamePattern(left.text) } },
      { what: `${mixed.text} answers only`, rrset: { name: parseNamePattern(mixed.text), kinds: RR_ONLY } },
      { what: mixed.text, rrset: { name: parseNamePattern(mixed.text) } },
      {
        what: `${mixed.text} type ${mixedType}`,
        rrset: { name: parseNamePattern(mixed.text), rrtype: parseType(mixedType) },
      },
      { what: right.text, rrset: { name: parseNamePattern(right.text) } },
      {
        what: `${right.text} type ${rightType}`,
        rrset: { name: parseNamePattern(right.text), rrtype: parseType(rightType) },
      },
      { what: 'rdata 0.0.0.0/0', rdata: { target: parseRdataTarget('0.0.0.0/0') } },
      { what: 'rdata ::/0', rdata: { target: parseRdataTarget('::/0') } },
      { what: `rdata *.${targetZones()[0]}`, rdata: { target: parseRdataTarget(`*.${targetZones()[0]}`) } },
    ]
    const run = (l: (typeof lookups)[number], limit: number, cursor?: string) =>
      l.rrset !== undefined
        ? backend.rrset({ ...l.rrset, limit, ...opt(cursor) })
        : backend.rdata({ ...l.rdata!, limit, ...opt(cursor) })
    const sizes: string[] = []
    for (const l of lookups) {
      const whole = await run(l, ALL)
      assert.equal(whole.cursor, null)
      const walked: ResultRecord[] = []
      let cursor: string | undefined
      let pages = 0
      for (;;) {
        const page = await run(l, 7, cursor)
        pages++
        assert.ok(
          page.records.length > 0 && page.records.length <= 7,
          `${l.what}: page ${pages} holds ${page.records.length}`,
        )
        if (page.cursor !== null)
          assert.equal(page.records.length, 7, `${l.what}: a short page with a cursor`)
        walked.push(...page.records)
        if (page.cursor === null) break
        cursor = page.cursor
        assert.ok(pages <= whole.records.length, `${l.what}: paging does not end`)
      }
      const keys = walked.map(recKey)
      assert.equal(new Set(keys).size, keys.length, `${l.what}: duplicates across pages`)
      assert.deepEqual(walked, whole.records, `${l.what}: pages differ from the single page`)
      assert.ok(whole.records.length > 7, `${l.what}: too small to page`)
      sizes.push(`${l.what}: ${whole.records.length} records in ${pages} pages`)
    }
    t.diagnostic(sizes.join('; '))
  })

  test('time_first, time_last and count equal the gold frame times and line counts; fences follow them', async (t) => {
    if (!requireCorpus(t, 'times and counts')) return
    // tuples the golds describe completely (every line comparable, class IN, from a capture without
    // known differences or frames tshark gave up on): the store's merged times and counts must be the
    // golds' exactly
    const agreeing = [...gold.expected].filter((k) => gold.tuples.get(k)!.agrees).sort()
    const stored = new Map<string, ResultRecord[]>()
    const byNameType = new Map<string, string[]>()
    for (const k of agreeing) {
      const g = gold.tuples.get(k)!
      push(byNameType, `${g.rrname}\t${g.rrtype}`, k)
    }
    for (const nt of byNameType.keys()) {
      const [name, type] = nt.split('\t') as [string, string]
      for (const r of await rrset({ kind: 'exact', name }, { rrtype: parseType(type) }))
        push(stored, recTuple(r), r)
    }
    const wrong: string[] = []
    let lines = 0
    for (const k of agreeing) {
      const g = gold.tuples.get(k)!
      const rs = stored.get(k) ?? []
      const first = Math.min(...rs.map((r) => r.first))
      const last = Math.max(...rs.map((r) => r.last))
      const count = rs.reduce((n, r) => n + r.count, 0)
      lines += g.lines
      if (first !== g.first || last !== g.last || count !== g.lines) {
        wrong.push(
          `${k}: gold ${g.first}..${g.last} ×${g.lines}, store ${first}..${last} ×${count} (${rs.length} records)`,
        )
      }
    }
    t.diagnostic(
      `${agreeing.length} tuples (${lines} gold lines) compared on time_first, time_last and count; ${wrong.length} differ`,
    )
    assert.ok(agreeing.length > 4000, `only ${agreeing.length} tuples agree`)
    assert.deepEqual(
      wrong.slice(0, 20),
      [],
      `${wrong.length} tuples whose times or count differ from the golds`,
    )

    // fences on single records (a tuple kept under two bailiwicks is two records, each fenced alone)
    const single = agreeing.filter((k) => stored.get(k)?.length === 1)
    // one tuple per (name, type): 2048-a.size.dns.netmeister.org alone holds 2048 A records
    const firstOfSet = new Map<string, string>()
    for (const k of single) {
      const g = gold.tuples.get(k)!
      if (!firstOfSet.has(`${g.rrname}\t${g.rrtype}`)) firstOfSet.set(`${g.rrname}\t${g.rrtype}`, k)
    }
    const step = Math.max(1, Math.floor(firstOfSet.size / 400))
    const sample = [...firstOfSet.values()].filter((_, i) => i % step === 0)
    const fenceWrong: string[] = []
    let fenceLookups = 0
    for (const k of sample) {
      const g = gold.tuples.get(k)!
      const F = g.first
      const L = g.last
      const cases: [TimeFence, boolean][] = [
        [{ firstAfter: F }, true],
        [{ firstAfter: F + 1 }, false],
        [{ firstBefore: F }, true],
        [{ firstBefore: F - 1 }, false],
        [{ lastAfter: L }, true],
        [{ lastAfter: L + 1 }, false],
        [{ lastBefore: L }, true],
        [{ lastBefore: L - 1 }, false],
        [{ firstAfter: F, lastBefore: L }, true],
        [{ firstBefore: L, lastAfter: F }, true],
      ]
      for (const [fence, present] of cases) {
        fenceLookups++
        const got = await rrset({ kind: 'exact', name: g.rrname }, { rrtype: parseType(g.rrtype), fence })
        if (got.some((r) => recTuple(r) === k) !== present)
          fenceWrong.push(`${k} ${JSON.stringify(fence)}: want ${present ? 'present' : 'absent'}`)
      }
    }
    t.diagnostic(
      `${fenceLookups} fenced exact lookups over ${sample.length} records; ${fenceWrong.length} wrong`,
    )
    assert.deepEqual(
      fenceWrong.slice(0, 20),
      [],
      `${fenceWrong.length} fenced lookups disagree with the golds`,
    )

    // fences over a whole wildcard: which single-record tuples qualify follows from gold times alone
    const singles = new Set(single)
    const wild = tally()
    for (const zone of leftZones()) {
      const inZone = single.filter((k) => atOrBelow(gold.tuples.get(k)!.rrname, zone))
      if (inZone.length < 10) continue
      const firsts = inZone.map((k) => gold.tuples.get(k)!.first).sort((a, b) => a - b)
      const lasts = inZone.map((k) => gold.tuples.get(k)!.last).sort((a, b) => a - b)
      const A = firsts[Math.floor(firsts.length / 3)]!
      const B = lasts[Math.floor((2 * lasts.length) / 3)]!
      const fences: [TimeFence, (f: number, l: number) => boolean][] = [
        [{ firstAfter: A, lastBefore: B }, (f, l) => f >= A && l <= B],
        [{ firstBefore: B, lastAfter: A }, (f, l) => f <= B && l >= A],
      ]
      for (const [fence, qualifies] of fences) {
        const got = await rrset(parseNamePattern(`*.${zone}`), { fence })
        const want = inZone.filter((k) => {
          const g = gold.tuples.get(k)!
          return qualifies(g.first, g.last)
        })
        compare(wild, `*.${zone} ${JSON.stringify(fence)}`, want, got, (r) => {
          if (!atOrBelow(r.rrname, zone) || !qualifies(r.first, r.last)) return false
          // a single-record tuple the golds put outside the fence must not come back
          const k = recTuple(r)
          return !singles.has(k) || qualifies(gold.tuples.get(k)!.first, gold.tuples.get(k)!.last)
        })
      }
    }
    report(t, 'fenced left wildcards', wild)
  })
})

function opt(cursor: string | undefined): { cursor?: string } {
  return cursor === undefined ? {} : { cursor }
}

function expectedNames(): Set<string> {
  const out = new Set<string>()
  for (const k of gold.expected) out.add(gold.tuples.get(k)!.rrname)
  return out
}

/** The 20 busiest two-label zones of the expected records, then arpa, local and escaped zones. */
function leftZones(): string[] {
  const counts = new Map<string, number>()
  for (const k of gold.expected) {
    const z = zoneOf(gold.tuples.get(k)!.rrname)
    if (z !== null && isValidName(z)) inc(counts, z)
  }
  return [...topKeys(counts, 20), 'arpa', 'local', ...escapedNames().map((l) => l.slice(1).join('.'))]
}

/**
 * Labels of expected names holding octets 00-02, which the key encoding escapes (names.ts): wildcards
 * built from them check that a prefix scan over escaped labels finds what it should.
 */
function escapedNames(): string[][] {
  return [...expectedNames()]
    .sort()
    .map(labelsOf)
    .filter((l) => l.length >= 3 && l.slice(0, -1).some((x) => /\\00[0-2]/.test(x)))
}

/**
 * Leading labels for right wildcards: the 5 commonest first labels, the 3 commonest first two, 3 owner
 * names that lead other names, then escaped ones.
 */
function rightLeadings(): string[] {
  const names = expectedNames()
  const one = new Map<string, number>()
  const two = new Map<string, number>()
  // names that are themselves owners (www.apple.com.* must find www.apple.com.edgekey.net, not www.apple.com)
  const owners = new Map<string, number>()
  for (const name of names) {
    const l = labelsOf(name)
    if (l.length === 0 || l[0]!.includes('*')) continue
    if (l.length >= 2 && isValidName(l[0]!)) inc(one, l[0]!)
    if (l.length >= 3) inc(two, `${l[0]}.${l[1]}`)
    for (let k = 2; k < l.length; k++) {
      const leading = l.slice(0, k).join('.')
      if (names.has(leading)) inc(owners, leading)
    }
  }
  return [
    ...topKeys(one, 5),
    ...topKeys(two, 3),
    ...topKeys(owners, 3),
    ...escapedNames().map((l) => l.slice(0, -1).join('.')),
  ]
}

/** Zones of the names rdata points at: the 4 busiest two-label zones, then arpa. */
function targetZones(): string[] {
  const targets = new Set<string>()
  for (const g of gold.tuples.values()) {
    const target = goldTarget(g.rrtype, g.rdata)
    if (target !== null && isValidName(target)) targets.add(target)
  }
  const zones = new Map<string, number>()
  for (const name of targets) {
    const z = zoneOf(name)
    if (z !== null) inc(zones, z)
  }
  return [...topKeys(zones, 4), 'arpa']
}
