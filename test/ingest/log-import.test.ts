/**
 * Suricata EVE and passivedns logs: the line parsers on real files (test/fixtures/logs/README.md), the
 * detection by content, and `pdns-mesh import` of both into a real store.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { typeName } from '../../node/dns/constants.ts'
import { isPdnsError, PdnsError } from '../../node/errors.ts'
import { detectImportKind } from '../../node/ingest/detect.ts'
import { parseEveLine } from '../../node/ingest/eve.ts'
import type { LogLine, LogLineResult } from '../../node/ingest/log-record.ts'
import { parsePassivednsLine } from '../../node/ingest/passivedns-log.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { REPO, runCli } from '../helpers/run-cli.ts'

const LOGS = join(REPO, 'test/fixtures/logs')
const EVE_FILE = join(LOGS, 'suricata/eve-dns-4.1.4.log')
const PDNS_LOG = join(LOGS, 'passivedns/zeek_dnssec_ds.log')
const PDNS_JSON = join(LOGS, 'passivedns/zeek_dnssec_ds.jsonl')

function lines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
}

function ok(r: LogLineResult): LogLine {
  if (r instanceof PdnsError) assert.fail(`unexpected bad line: ${r.message}`)
  return r
}

function brief(r: LogLine): string[] {
  return r.records.map(
    (x) => `${x.kind} ${x.rrname} ${typeName(x.rrtype)} ${x.rdata} t=${x.time} n=${x.count} ttl=${x.ttl}`,
  )
}

async function tempDir(): Promise<string> {
  return await mkdtemp(join(tmpdir(), 'pdns-logs-'))
}

// ---------------------------------------------------------------- EVE lines

test('EVE: version 2 answers, version 1 answer records and queries of a real eve.json', () => {
  const parsed = lines(EVE_FILE).map((l) => ok(parseEveLine(l)))
  assert.equal(parsed.filter((p) => p.skipped.includes('query')).length, 8)
  // version 2 (both forms logged: the detailed one is read), times from the event timestamp
  assert.deepEqual(brief(parsed[2]!), [
    'rr google.com AAAA 2607:f8b0:4006:805::200e t=1566517707 n=1 ttl=272',
  ])
  assert.deepEqual(brief(parsed[6]!).slice(0, 2), [
    'rr www.elastic.co CNAME dualstack.r2.shared.global.fastly.net t=1566517728 n=1 ttl=270',
    'rr dualstack.r2.shared.global.fastly.net A 151.101.130.217 t=1566517728 n=1 ttl=29',
  ])
  // version 1: one event per answer record
  assert.deepEqual(brief(parsed[10]!), [
    'rr www.yahoo.com CNAME atsv2-fp-shed.wg1.b.yahoo.com t=1566523351 n=1 ttl=1315',
  ])
  assert.deepEqual(brief(parsed[16]!), [
    'rr atsv2-fp-shed.wg1.b.yahoo.com AAAA 2001:4998:58:1836::10 t=1566523351 n=1 ttl=53',
  ])
  const all = parsed.flatMap((p) => p.records)
  assert.equal(all.length, 32)
  assert.ok(parsed.every((p) => p.sensor === null))
})

test('EVE: the grouped form alone gives the same records, owners taken along the CNAME chain', () => {
  for (const i of [2, 6, 7]) {
    const event = JSON.parse(lines(EVE_FILE)[i]!)
    const detailed = ok(parseEveLine(JSON.stringify(event))).records.map((r) => ({ ...r, ttl: null }))
    delete event.dns.answers
    const grouped = ok(parseEveLine(JSON.stringify(event))).records
    const order = (a: { rrname: string; rdata: string }, b: { rrname: string; rdata: string }) =>
      `${a.rrname} ${a.rdata}`.localeCompare(`${b.rrname} ${b.rdata}`)
    assert.deepEqual(grouped.sort(order), detailed.sort(order))
  }
})

test('EVE: what Suricata logs in part is skipped and counted; negatives; sensor name; bad lines', () => {
  const ev = (dns: object, extra: object = {}) =>
    JSON.stringify({ timestamp: '2024-05-01T12:00:00.5+0200', event_type: 'dns', ...extra, dns })
  const mx = ok(
    parseEveLine(
      ev(
        {
          version: 2,
          type: 'answer',
          rrname: 'Example.ORG',
          rrtype: 'MX',
          rcode: 'NOERROR',
          answers: [
            { rrname: 'example.org', rrtype: 'MX', ttl: 5, rdata: 'mx.example.org' },
            { rrname: 'example.org', rrtype: 'RRSIG', ttl: 5 },
            {
              rrname: 'example.org',
              rrtype: 'SOA',
              ttl: 5,
              soa: {
                mname: 'NS.example.org',
                rname: 'h.example.org',
                serial: 1,
                refresh: 2,
                retry: 3,
                expire: 4,
                minimum: 5,
              },
            },
            {
              rrname: '_x._tcp.example.org',
              rrtype: 'SRV',
              ttl: 5,
              srv: { priority: 1, weight: 2, port: 3, name: 't.example.org' },
            },
            {
              rrname: 'example.org',
              rrtype: 'SSHFP',
              ttl: 5,
              sshfp: { fingerprint: 'ab:cd', algo: 1, type: 2 },
            },
            { rrname: 'example.org', rrtype: 'TXT', ttl: 5, rdata: 'v=spf1 "x" \\x01' },
          ],
        },
        { host: 'sensor-1' },
      ),
    ),
  )
  assert.deepEqual(mx.skipped, ['partial:MX', 'no rdata:RRSIG'])
  assert.equal(mx.sensor, 'sensor-1')
  assert.deepEqual(
    mx.records.map((r) => `${r.rrname} ${typeName(r.rrtype)} ${r.rdata} ${r.time}`),
    [
      'example.org SOA ns.example.org h.example.org 1 2 3 4 5 1714557600',
      '_x._tcp.example.org SRV 1 2 3 t.example.org 1714557600',
      'example.org SSHFP 1 2 ABCD 1714557600',
      'example.org TXT "v=spf1 \\"x\\" \\001" 1714557600',
    ],
  )
  const nx = ok(
    parseEveLine(ev({ version: 2, type: 'answer', rrname: 'gone.example', rrtype: 'A', rcode: 'NXDOMAIN' })),
  )
  assert.deepEqual(brief(nx), ['nxdomain gone.example A  t=1714557600 n=1 ttl=null'])
  const v3 = ok(
    parseEveLine(
      ev({
        version: 3,
        type: 'response',
        rcode: 'NOERROR',
        queries: [{ rrname: 'www.example', rrtype: 'AAAA' }],
        authorities: [{ rrname: 'example', rrtype: 'SOA' }],
      }),
    ),
  )
  assert.deepEqual(brief(v3), ['nodata www.example AAAA  t=1714557600 n=1 ttl=null'])
  const referral = ev({
    version: 2,
    type: 'answer',
    rrname: 'a.example',
    rrtype: 'A',
    rcode: 'NOERROR',
    authorities: [{ rrname: 'example', rrtype: 'NS', rdata: 'ns.example' }],
  })
  assert.deepEqual(ok(parseEveLine(referral)).skipped, ['referral'])
  assert.deepEqual(
    ok(parseEveLine(ev({ version: 2, type: 'answer', rrname: 'a.example', rrtype: 'A', rcode: 'SERVFAIL' })))
      .skipped,
    ['rcode:SERVFAIL'],
  )
  assert.deepEqual(ok(parseEveLine('{"timestamp":"2024-05-01T12:00:00Z","event_type":"flow"}')).skipped, [
    'not dns',
  ])
  const bad = (line: string) => {
    const r = parseEveLine(line)
    assert.ok(r instanceof PdnsError && r.code === 'ERR_BAD_RECORD', line)
    return r.message
  }
  assert.match(bad('{oops'), /^not JSON/)
  assert.equal(bad('{"rrname":"a.example"}'), 'not an EVE event (no event_type)')
  assert.match(
    bad(
      ev({ type: 'answer', rrname: 'a.example', rrtype: 'A', ttl: 1, rdata: '192.0.2.1' }).replace(
        '2024-05-01T',
        'x',
      ),
    ),
    /is not an ISO 8601 time/,
  )
  assert.match(
    bad(ev({ type: 'answer', rrname: 'a.example', rrtype: 'A', ttl: 1, rdata: '192.0.2.300' })),
    /not an IPv4 address/,
  )
})

// ---------------------------------------------------------------- passivedns lines

test('passivedns: the default line and the JSON line of one capture give the same records', () => {
  const log = lines(PDNS_LOG).map((l) => brief(ok(parsePassivednsLine(l))))
  const json = lines(PDNS_JSON).map((l) => brief(ok(parsePassivednsLine(l))))
  assert.deepEqual(json, log)
  assert.deepEqual(log[0], [
    'rr upenn.edu DS 18463 5 1 0C45B3D090B221E0E33BBEB5A619D89416BAF197 t=1537557828 n=1 ttl=5',
  ])
})

test('passivedns: error lines, answers it cuts, other classes, bad lines', () => {
  const l = (type: string, answer: string, cls = 'IN', n = '1') =>
    `1700000000.123456||10.0.0.1||10.0.0.2||${cls}||Www.Example.ORG.||${type}||${answer}||300||${n}`
  assert.deepEqual(brief(ok(parsePassivednsLine(l('A', 'NXDOMAIN')))), [
    'nxdomain www.example.org A  t=1700000000 n=1 ttl=null',
  ])
  assert.deepEqual(ok(parsePassivednsLine(l('A', 'SERVFAIL'))).skipped, ['rcode:SERVFAIL'])
  assert.deepEqual(ok(parsePassivednsLine(l('MX', 'mx.example.org.'))).skipped, ['partial:MX'])
  assert.deepEqual(ok(parsePassivednsLine(l('SOA', 'ns.example.org.'))).skipped, ['partial:SOA'])
  assert.deepEqual(ok(parsePassivednsLine(l('A', '192.0.2.1', 'CH'))).skipped, ['class'])
  assert.deepEqual(brief(ok(parsePassivednsLine(l('CNAME', 'Target.Example.NET.', 'IN', '42')))), [
    'rr www.example.org CNAME target.example.net t=1700000000 n=42 ttl=300',
  ])
  const json =
    '{"timestamp_s":1700000000,"timestamp_ms":5,"hostname":"ids-7","query":"a.example.","type":"AAAA","answer":"2001:db8:0:0::1","ttl":60,"count":3}'
  const j = ok(parsePassivednsLine(json))
  assert.equal(j.sensor, 'ids-7')
  assert.deepEqual(brief(j), ['rr a.example AAAA 2001:db8::1 t=1700000000 n=3 ttl=60'])
  for (const [line, why] of [
    ['1700000000||a||b||IN||x.example.||A||192.0.2.1', /7 fields, not passivedns's default 9/],
    [l('A', '192.0.2.1', 'IN', '0'), /count "?0"? is not a positive integer|count null/],
    [l('BOGUS', 'x'), /type "BOGUS" is not a type/],
    ['{"query":"a.example.","answer":"192.0.2.1","type":"A"}', /timestamp_s missing/],
  ] as const) {
    const r = parsePassivednsLine(line)
    assert.ok(r instanceof PdnsError, line)
    assert.match(r.message, why)
  }
})

// ---------------------------------------------------------------- detection

test('detection by content: EVE, passivedns (both forms, gzip too), COF as before; mixed and unknown refused', async () => {
  const dir = await tempDir()
  const file = async (name: string, content: string | Buffer) => {
    await writeFile(join(dir, name), content)
    return join(dir, name)
  }
  const eve = readFileSync(EVE_FILE)
  assert.equal(await detectImportKind(await file('a', eve)), 'eve')
  assert.equal(await detectImportKind(await file('b.gz', gzipSync(eve))), 'eve')
  assert.equal(await detectImportKind(PDNS_LOG), 'passivedns')
  assert.equal(await detectImportKind(PDNS_JSON), 'passivedns')
  assert.equal(await detectImportKind(await file('c.gz', gzipSync(readFileSync(PDNS_LOG)))), 'passivedns')
  assert.equal(
    await detectImportKind(
      await file(
        'd',
        `#timestamp||dns-client||dns-server||RR class||Query||Query Type||Answer||TTL||Count\n${readFileSync(PDNS_LOG)}`,
      ),
    ),
    'passivedns',
  )
  assert.equal(await detectImportKind(await file('e', '{"rrname":"a.example","rrtype":"A"}\n{oops\n')), 'cof')
  assert.equal(await detectImportKind(await file('f', '')), 'cof')
  // an EVE line longer than what detection reads is still EVE
  const long = `{"timestamp":"2024-01-01T00:00:00Z","flow_id":1,"event_type":"stats","stats":{"x":"${'y'.repeat(70_000)}"}}\n`
  assert.equal(await detectImportKind(await file('g', long)), 'eve')
  const refused = async (content: string) => {
    try {
      await detectImportKind(await file('h', content))
    } catch (err) {
      assert.ok(isPdnsError(err) && err.code === 'ERR_UNKNOWN_FORMAT')
      return err.message
    }
    assert.fail('expected a refusal')
  }
  const mixed = `${lines(EVE_FILE)[0]}\n{"rrname":"a.example","rrtype":"A","rdata":"192.0.2.1","time_first":1,"time_last":1}\n`
  assert.match(await refused(mixed), /h: lines of several formats: Suricata EVE \(line 1\), COF \(line 2\)/)
  assert.match(await refused('hello||world\n'), /nor a passivedns log/)
})

// ---------------------------------------------------------------- import

async function exported(data: string): Promise<Record<string, unknown>[]> {
  const r = await runCli(['export', '--data', data])
  assert.equal(r.code, 0, r.stderr)
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

test('import: EVE under suricata:unknown with added counts (a second import counts twice), passivedns gzip', async () => {
  const dir = await tempDir()
  const data = join(dir, 'data')
  const pdnsGz = join(dir, 'pdns.log.gz')
  await writeFile(pdnsGz, gzipSync(readFileSync(join(LOGS, 'passivedns/dnscap_dns.log'))))
  const r = await runCli(['import', '--data', data, EVE_FILE, pdnsGz])
  assert.equal(r.code, 0, r.stderr)
  assert.match(
    r.stderr,
    /^files 2 \(captures 0, COF 0, EVE\/passivedns 2\): EVE\/passivedns lines 30 \(bad 0\)$/m,
  )
  assert.match(r.stderr, /^not stored: query 8$/m)
  const first = await exported(data)
  const origins = new Set(first.map((o) => o.sensor_id))
  assert.deepEqual([...origins].sort(), ['passivedns:unknown', 'suricata:unknown'])
  const google = first.find(
    (o) => o.rrname === 'google.com' && o.rrtype === 'A' && o.sensor_id === 'passivedns:unknown',
  )!
  assert.equal(google.count, 24)
  const yahoo = (rows: Record<string, unknown>[]) =>
    rows.find((o) => o.rrname === 'www.yahoo.com' && o.rrtype === 'CNAME')!
  assert.equal(yahoo(first).count, 2)
  assert.equal((await runCli(['import', '--data', data, EVE_FILE])).code, 0)
  assert.equal(yahoo(await exported(data)).count, 4)
})

test('import: bad log lines are counted and listed, the rest imported; a cut gzip keeps what came before', async () => {
  const dir = await tempDir()
  const data = join(dir, 'data')
  const eve = lines(EVE_FILE)
  const withBad = join(dir, 'eve.json')
  await writeFile(withBad, `${eve[2]}\n{"event_type":"dns"\n${eve[3]}\n`)
  const cut = join(dir, 'cut.log.gz')
  const gz = gzipSync(readFileSync(join(LOGS, 'passivedns/ndpi_dns_ambiguous_names.log')))
  await writeFile(cut, gz.subarray(0, Math.floor(gz.length * 0.8)))
  const r = await runCli(['import', '--data', data, withBad, cut])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /eve\.json: 1 bad EVE line not imported \(line 2: not JSON/)
  assert.match(r.stderr, /cut\.log\.gz: .*(damaged gzip data|unexpected end of file)/)
  const rows = await exported(data)
  assert.ok(rows.some((o) => o.rrname === 'google.com' && o.rrtype === 'AAAA'))
  assert.ok(
    rows.some((o) => o.sensor_id === 'passivedns:unknown'),
    'lines before the damage are imported',
  )
})

// ---------------------------------------------------------------- robustness

test('mutated real lines never make the EVE or passivedns reader throw: records or a reason (seeded)', () => {
  const rand = prng(20261207)
  const odd = [
    null,
    0,
    -1,
    1.5,
    '',
    '<root>',
    'x..y',
    '\\x00',
    [],
    {},
    [1],
    { a: 1 },
    true,
    'NXDOMAIN',
    2 ** 40,
  ]
  /** a random leaf of a JSON value replaced by an odd value */
  const mutate = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      if (v.length === 0 || rand() < 0.2) return odd[randInt(rand, odd.length)]
      const i = randInt(rand, v.length)
      return v.map((x, j) => (j === i ? mutate(x) : x))
    }
    if (typeof v === 'object' && v !== null) {
      const keys = Object.keys(v)
      if (keys.length === 0 || rand() < 0.2) return odd[randInt(rand, odd.length)]
      const k = keys[randInt(rand, keys.length)]!
      return { ...(v as object), [k]: rand() < 0.1 ? undefined : mutate((v as Record<string, unknown>)[k]) }
    }
    return odd[randInt(rand, odd.length)]
  }
  const eve = lines(EVE_FILE)
  const pdns = [
    ...lines(PDNS_LOG),
    ...lines(PDNS_JSON),
    ...lines(join(LOGS, 'passivedns/zeek_dnssec_rrsig.log')),
  ]
  const check = (r: LogLineResult, line: string) =>
    assert.ok(r instanceof PdnsError || (Array.isArray(r.records) && Array.isArray(r.skipped)), line)
  for (let i = 0; i < 3000; i++) {
    const e = eve[randInt(rand, eve.length)]!
    const m = JSON.stringify(mutate(JSON.parse(e)))
    check(parseEveLine(m), m)
    const p = pdns[randInt(rand, pdns.length)]!
    const cut = randInt(rand, p.length)
    const q = p.startsWith('{')
      ? JSON.stringify(mutate(JSON.parse(p)))
      : p.slice(0, cut) +
        ['||', '.', ' ', '', 'NXDOMAIN', '"'][randInt(rand, 6)] +
        p.slice(cut + randInt(rand, 4))
    check(parsePassivednsLine(q), q)
  }
})
