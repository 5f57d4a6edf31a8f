/**
 * passivedns against our parser on the same captures. The fixtures are passivedns's own logs of
 * corpus captures (test/fixtures/logs/passivedns/README.md: how they were made); the captures are
 * read from the shared corpus at test time. Per capture, the (kind, rrname, rrtype, rdata) tuples
 * imported from its log must equal what our parser sees in the answer section for the types
 * passivedns logs whole, up to the differences listed with their reasons in known-differences.tsv:
 * the test fails on an unlisted difference and on a listed one that no longer happens.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { test } from 'node:test'
import { typeName, typeNumber } from '../../node/dns/constants.ts'
import { parsePassivednsLine } from '../../node/ingest/passivedns-log.ts'
import { Sensor } from '../../node/sensor/index.ts'
import { CORPUS_DIR, requireCorpus } from '../helpers/shared.ts'

const FIXTURES = new URL('../fixtures/logs/passivedns/', import.meta.url).pathname

/** Types passivedns logs whole (with -X 46CDNPRSTOMndLFHIfsxoryetaz); MX, SRV, SOA, RP, NSEC3 it cuts. */
const WHOLE_TYPES = new Set(
  [
    'A',
    'AAAA',
    'PTR',
    'CNAME',
    'DNAME',
    'NAPTR',
    'TXT',
    'SPF',
    'HINFO',
    'LOC',
    'GPOS',
    'NS',
    'DNSKEY',
    'RRSIG',
  ]
    .concat(['DS', 'NSEC', 'NSEC3PARAM', 'SSHFP'])
    .map((t) => typeNumber(t)!),
)

function tsv(name: string): string[][] {
  return readFileSync(resolve(FIXTURES, name), 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split('\t'))
}

function key(kind: string, rrname: string, rrtype: number, rdata: string): string {
  return `${kind}\t${rrname}\t${typeName(rrtype)}\t${rdata}`
}

/** The tuples passivedns logged, and the sightings it counted for each. */
function theirs(file: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of readFileSync(resolve(FIXTURES, file), 'utf8').split('\n')) {
    if (line.trim() === '') continue
    const r = parsePassivednsLine(line)
    assert.ok(!(r instanceof Error), `${file}: ${line}: ${(r as Error).message}`)
    for (const rec of r.records) {
      const k = key(rec.kind, rec.rrname, rec.rrtype, rec.rdata)
      out.set(k, (out.get(k) ?? 0) + rec.count)
    }
  }
  return out
}

async function ours(capture: string): Promise<Set<string>> {
  const out = new Set<string>()
  // passivedns's default BPF is 'port 53'
  const sensor = new Sensor({ ports: new Set([53]), clientAddresses: false }, (o) => {
    if (o.rrclass !== 'IN') return
    const rrtype = typeNumber(o.rrtype)
    if (rrtype === null) return
    if (o.kind === 'nxdomain') out.add(key('nxdomain', o.rrname, rrtype, ''))
    else if (o.kind === 'rr' && o.section === 'answer' && o.rdata !== null && WHOLE_TYPES.has(rrtype)) {
      out.add(key('rr', o.rrname, rrtype, o.rdata))
    }
  })
  await sensor.ingestFile(resolve(CORPUS_DIR, capture))
  sensor.flush()
  return out
}

test('passivedns logs of corpus captures import to the tuples our parser sees, up to the listed differences', async (t) => {
  if (!requireCorpus(t, 'passivedns comparison')) return
  const listed = new Map<string, { reason: string; used: number }>()
  for (const [fixture, direction, ...rest] of tsv('known-differences.tsv')) {
    const reason = rest.pop()!
    listed.set([fixture, direction, ...rest].join('\t'), { reason, used: 0 })
  }
  const unlisted: string[] = []
  let same = 0
  for (const [fixture, capture] of tsv('captures.tsv')) {
    const log = theirs(`${fixture}.log`)
    const json = theirs(`${fixture}.jsonl`)
    assert.deepEqual(
      [...json],
      [...log],
      `${fixture}: the JSON log and the default log give the same records`,
    )
    const we = await ours(capture!)
    const diff = (direction: string, k: string) => {
      const id = `${fixture}\t${direction}\t${k}`
      const l = listed.get(id)
      if (l === undefined) unlisted.push(id)
      else l.used++
    }
    for (const k of log.keys()) {
      if (we.has(k)) same++
      else diff('only-passivedns', k)
    }
    for (const k of we) if (!log.has(k)) diff('only-ours', k)
  }
  t.diagnostic(`${same} tuples agree`)
  assert.deepEqual(
    unlisted,
    [],
    'differences not listed in test/fixtures/logs/passivedns/known-differences.tsv',
  )
  const stale = [...listed].filter(([, v]) => v.used === 0).map(([k]) => k)
  assert.deepEqual(stale, [], 'listed differences that no longer happen (remove them)')
  assert.ok(same > 100, `only ${same} tuples agree`)
})

test('passivedns counts are sightings since its last line: their sum is every sighting our parser sees', async (t) => {
  if (!requireCorpus(t, 'passivedns count comparison')) return
  // dnscap/dns.pcap: google.com A 216.58.218.206 is logged at its first sighting (count 1) and again
  // when passivedns empties its cache at the end of the capture, with the sightings since
  const k = key('rr', 'google.com', 1, '216.58.218.206')
  let seen = 0
  const sensor = new Sensor({ ports: new Set([53]), clientAddresses: false }, (o) => {
    if (
      o.section === 'answer' &&
      o.kind === 'rr' &&
      key('rr', o.rrname, typeNumber(o.rrtype)!, o.rdata!) === k
    )
      seen++
  })
  await sensor.ingestFile(resolve(CORPUS_DIR, 'pcaps/dnscap/dns.pcap'))
  sensor.flush()
  assert.equal(theirs('dnscap_dns.log').get(k), seen)
  assert.ok(seen > 1)
})
