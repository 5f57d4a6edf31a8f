/**
 * Conformance, record by record: for every record both tshark and the sensor report (matched on
 * capture time, section, rrname, rrtype and rdata), the other fields must agree too — TTL, class,
 * the message's rcode (12-bit extended when an OPT RR carries upper bits), the question name and
 * the transport. The set comparison in corpus.test.ts cannot see those.
 */
import assert from 'node:assert/strict'
import { resolve } from 'node:path'
import { test } from 'node:test'
import { Sensor } from '../../node/sensor/index.ts'
import { CORPUS_DIR, corpusCaptures, requireCorpus } from '../helpers/shared.ts'
import { comparable, type GoldLine, readGold } from './corpus.ts'

const PORTS = new Set([53, 5353, 5355])

/** tshark's frame.time_epoch, truncated to microseconds, as an integer number of µs */
function goldMicros(ts: string): number {
  const [s, frac = ''] = ts.split('.')
  return Number(s) * 1e6 + Number(frac.padEnd(6, '0').slice(0, 6))
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key)
  if (set === undefined) map.set(key, new Set([value]))
  else set.add(value)
}

function fields(
  ttl: number | null,
  rrclass: string | null,
  rcode: string,
  qname: string | null,
  transport: string,
) {
  return `ttl=${ttl} class=${rrclass} rcode=${rcode} qname=${qname} transport=${transport}`
}

test('TTL, class, rcode, question name and transport agree with tshark for every matched record', async (t) => {
  if (!requireCorpus(t, 'per-record field conformance')) return
  const captures = corpusCaptures()
  let compared = 0
  const mismatches: string[] = []
  for (const capture of captures) {
    const ours = new Map<string, Set<string>>()
    const sensor = new Sensor({ ports: PORTS, clientAddresses: false }, (o) => {
      if (o.kind !== 'rr') return
      const key = `${o.time}\t${o.section}\t${o.rrname}\t${o.rrtype}\t${o.rdata}`
      addTo(ours, key, fields(o.ttl, o.rrclass, o.rcode, o.qname, o.transport))
    })
    try {
      await sensor.ingestFile(resolve(CORPUS_DIR, capture))
    } catch {
      // damaged captures: corpus.test.ts holds the error list; compare what was read
    }
    const gold = new Map<string, Set<string>>()
    for (const g of readGold(capture).filter(comparable) as GoldLine[]) {
      const key = `${goldMicros(g.ts)}\t${g.section}\t${g.rrname}\t${g.rrtype}\t${g.rdata}`
      addTo(gold, key, fields(g.ttl, g.class, g.rcode, g.qname, g.transport))
    }
    for (const [key, want] of gold) {
      const got = ours.get(key)
      if (got === undefined) continue // presence is corpus.test.ts's business
      compared++
      const a = [...want].sort().join(' | ')
      const b = [...got].sort().join(' | ')
      if (a !== b) mismatches.push(`${capture}\t${key}\n    tshark: ${a}\n    ours:   ${b}`)
    }
  }
  t.diagnostic(`${compared} records compared field by field, ${mismatches.length} disagree`)
  assert.ok(compared > 4000, `only ${compared} records matched by time and content`)
  assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} records disagree with tshark`)
})
