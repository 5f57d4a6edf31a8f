/**
 * Suricata's own expected EVE output against our parser on the same captures. suricata-verify's
 * `test.yaml` checks (in the shared corpus beside each capture, `<capture>.expected/suricata-*`) name
 * answer fields Suricata logs for that capture: every answer they name whole (rrname, rrtype, rdata
 * of one `dns.answers[i]`) is read through our EVE reader and must be a record our parser sees in
 * the capture's answer section, up to the differences listed with reasons in
 * test/fixtures/logs/suricata/known-differences.tsv (a field `*` matches anything).
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { test } from 'node:test'
import { typeName, typeNumber } from '../../node/dns/constants.ts'
import { parseEveLine } from '../../node/ingest/eve.ts'
import { Sensor } from '../../node/sensor/index.ts'
import { CORPUS_DIR, corpusCaptures, requireCorpus } from '../helpers/shared.ts'

const KNOWN = new URL('../fixtures/logs/suricata/known-differences.tsv', import.meta.url).pathname

/** The `match:` maps of a test.yaml's `- filter:` checks expecting at least one event. */
function filters(yaml: string): Map<string, string>[] {
  const out: Map<string, string>[] = []
  let cur: Map<string, string> | null = null
  let count = 1
  let inMatch = false
  const flush = () => {
    if (cur !== null && count > 0 && cur.size > 0) out.push(cur)
    cur = null
  }
  for (const raw of yaml.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '')
    if (/^\s*-\s*filter:\s*$/.test(line)) {
      flush()
      cur = new Map()
      count = 1
      inMatch = false
      continue
    }
    if (cur === null) continue
    const m = /^\s*([^:\s][^:]*?):\s*(.*)$/.exec(line)
    if (m === null) continue
    const [, k, v] = m as unknown as [string, string, string]
    if (k === 'count') count = Number(v)
    else if (k === 'match') inMatch = true
    else if (inMatch && v !== '') cur.set(k, v.replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1'))
  }
  flush()
  return out
}

function key(rrname: string, rrtype: number, rdata: string): string {
  return `${rrname}\t${typeName(rrtype)}\t${rdata}`
}

/** The answers a filter names whole, read through our EVE reader. */
function expectedTuples(match: Map<string, string>): string[] {
  const out: string[] = []
  for (let i = 0; match.has(`dns.answers[${i}].rrtype`); i++) {
    const rrname = match.get(`dns.answers[${i}].rrname`)
    const rdata = match.get(`dns.answers[${i}].rdata`)
    if (rrname === undefined || rdata === undefined) continue
    const answer = { rrname, rrtype: match.get(`dns.answers[${i}].rrtype`), ttl: 0, rdata }
    const line = JSON.stringify({
      timestamp: '2020-01-01T00:00:00Z',
      event_type: 'dns',
      dns: { version: 2, type: 'answer', rrname, rrtype: answer.rrtype, rcode: 'NOERROR', answers: [answer] },
    })
    const r = parseEveLine(line)
    if (r instanceof Error) out.push(`unreadable\t${line}\t${r.message}`)
    else for (const rec of r.records) if (rec.kind === 'rr') out.push(key(rec.rrname, rec.rrtype, rec.rdata))
  }
  return out
}

test("Suricata's expected EVE answers for corpus captures are records our parser sees", async (t) => {
  if (!requireCorpus(t, 'Suricata EVE comparison')) return
  const listed = readFileSync(KNOWN, 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) => ({ pattern: line.split('\t').slice(0, -1), used: 0 }))
  const find = (id: string) => {
    const f = id.split('\t')
    return listed.find(
      (l) => l.pattern.length === f.length && l.pattern.every((p, i) => p === '*' || p === f[i]),
    )
  }
  const unlisted: string[] = []
  let agreed = 0
  for (const capture of corpusCaptures().filter((c) => c.startsWith('pcaps/suricata-verify/'))) {
    const expectedDir = resolve(CORPUS_DIR, `${capture}.expected`)
    let suites: string[]
    try {
      suites = readdirSync(expectedDir).filter((d) => d.startsWith('suricata-'))
    } catch {
      continue
    }
    const expected = new Set<string>()
    for (const s of suites) {
      let yaml: string
      try {
        yaml = readFileSync(join(expectedDir, s, 'test.yaml'), 'utf8')
      } catch {
        continue
      }
      for (const f of filters(yaml)) for (const k of expectedTuples(f)) expected.add(k)
    }
    if (expected.size === 0) continue
    const ours = new Set<string>()
    const sensor = new Sensor({ ports: new Set([53, 5353, 5355]), clientAddresses: false }, (o) => {
      const rrtype = typeNumber(o.rrtype)
      if (o.kind === 'rr' && o.section === 'answer' && o.rdata !== null && rrtype !== null) {
        ours.add(key(o.rrname, rrtype, o.rdata))
      }
    })
    try {
      await sensor.ingestFile(resolve(CORPUS_DIR, capture))
    } catch {
      // a capture our reader refuses: its expected answers show up as differences below
    }
    sensor.flush()
    for (const k of expected) {
      if (ours.has(k)) {
        agreed++
        continue
      }
      const id = `${capture}\t${k}`
      const l = find(id)
      if (l === undefined) unlisted.push(id)
      else l.used++
    }
  }
  t.diagnostic(`${agreed} answers Suricata expects agree with our parser`)
  assert.deepEqual(unlisted, [], `differences not listed in ${dirname(KNOWN)}/known-differences.tsv`)
  const stale = listed.filter((l) => l.used === 0).map((l) => l.pattern.join('\t'))
  assert.deepEqual(stale, [], 'listed differences that no longer happen (remove them)')
  assert.ok(agreed >= 10, `only ${agreed} answers agree`)
})
