import assert from 'node:assert/strict'
import { access, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { before, test } from 'node:test'
import { encodeU32, metaKey, SCHEMA_VERSION } from '../../node/store/keys.ts'
import { Rocks } from '../../node/store/rocks.ts'
import { Store } from '../../node/store/store.ts'
import { REPO, runCli } from '../helpers/run-cli.ts'

const SAMPLE = join(REPO, 'test/fixtures/sample.pcap')
const DAY = 86_400

interface JsonRecord {
  kind: string
  rrname: string
  rrtype: string
  rdata: string
  bailiwick: string | null
  first: number
  last: number
  first_seen: string
  last_seen: string
  count: number
  vantages: {
    origin: string
    first: number
    last: number
    count: number
    first_seen: string
    last_seen: string
  }[]
}

/** the sample capture, imported once */
let sample: string
/** COF records at times relative to now, under two sensors, for fences and origins */
let timed: string
let now: number

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pdns-query-'))
  sample = join(dir, 'sample')
  const r = await runCli(['import', '--data', sample, SAMPLE])
  assert.equal(r.code, 0, r.stderr)
  now = Math.floor(Date.now() / 1000)
  const rec = (name: string, ip: string, first: number, last: number, count: number, sensor: string) =>
    JSON.stringify({
      rrname: name,
      rrtype: 'A',
      rdata: ip,
      time_first: first,
      time_last: last,
      count,
      sensor_id: sensor,
    })
  const lines = [
    rec('old.example.net', '198.51.100.1', now - 60 * DAY, now - 30 * DAY, 4, 'a'),
    rec('recent.example.net', '198.51.100.2', now - 3 * DAY, now - DAY, 6, 'a'),
    rec('recent.example.net', '198.51.100.2', now - 2 * DAY, now - 2 * DAY, 1, 'b'),
    rec('fixed.example.net', '198.51.100.3', 1_767_225_600, 1_767_312_000, 2, 'b'),
  ]
  timed = join(dir, 'timed')
  await writeFile(join(dir, 'timed.cof'), `${lines.join('\n')}\n`)
  const t = await runCli(['import', '--data', timed, join(dir, 'timed.cof')])
  assert.equal(t.code, 0, t.stderr)
})

async function json(args: string[]): Promise<{ records: JsonRecord[]; stderr: string }> {
  const r = await runCli([...args, '--format', 'json'])
  assert.equal(r.code, 0, r.stderr)
  const records = r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as JsonRecord)
  return { records, stderr: r.stderr }
}

function brief(rs: JsonRecord[]): string[] {
  return rs.map((r) => `${r.rrname} ${r.rrtype} ${r.kind === 'rr' ? r.rdata : `(${r.kind})`}`).sort()
}

async function exists(path: string): Promise<boolean> {
  return await access(path).then(
    () => true,
    () => false,
  )
}

test('an exact rrset query returns the record with merged times, count, ISO times and its vantage', async () => {
  const { records } = await json(['query', 'rrset', 'www.example.com', '--data', sample])
  assert.equal(records.length, 1)
  const r = records[0]!
  assert.deepEqual(
    [r.kind, r.rrname, r.rrtype, r.rdata, r.bailiwick, r.first, r.last, r.count],
    ['rr', 'www.example.com', 'CNAME', 'web.example.net', null, 1_767_225_601, 1_767_225_603, 2],
  )
  assert.equal(r.first_seen, '2026-01-01T00:00:01Z')
  assert.equal(r.last_seen, '2026-01-01T00:00:03Z')
  assert.equal(r.vantages.length, 1)
  assert.match(r.vantages[0]!.origin, /^12D3KooW/)
  assert.equal(r.vantages[0]!.count, 2)
})

test('names are matched without regard to case or a trailing dot; --type narrows, ANY does not', async () => {
  const all = await json(['query', 'rrset', 'WEB.example.NET.', '--data', sample])
  assert.deepEqual(brief(all.records), [
    'web.example.net A 203.0.113.10',
    'web.example.net A 203.0.113.11',
    'web.example.net AAAA 2001:db8::10',
  ])
  const a = await json(['query', 'rrset', 'web.example.net', '--type', 'a', '--data', sample])
  assert.equal(a.records.length, 2)
  const any = await json(['query', 'rrset', 'web.example.net', '--type', 'ANY', '--data', sample])
  assert.equal(any.records.length, 3)
})

test('wildcards: *.zone is the zone and everything below, +.zone one label below, name.* to the right', async () => {
  const below = await json(['query', 'rrset', '*.example.com', '--data', sample])
  assert.deepEqual(brief(below.records), [
    'example.com CAA (nodata)',
    'example.com MX 10 mail.example.com',
    'example.com NS ns1.example.com',
    'example.com NS ns2.example.net',
    'example.com SOA ns1.example.com hostmaster.example.com 2026010101 7200 900 1209600 300',
    'example.com TXT "v=spf1 -all"',
    'nope.example.com A (nxdomain)',
    'www.example.com CNAME web.example.net',
  ])
  const one = await json(['query', 'rrset', '+.example.com', '--data', sample])
  assert.deepEqual(brief(one.records), [
    'nope.example.com A (nxdomain)',
    'www.example.com CNAME web.example.net',
  ])
  const right = await json(['query', 'rrset', 'www.example.*', '--data', sample])
  assert.deepEqual(brief(right.records), ['www.example.com CNAME web.example.net'])
})

test('--bailiwick keeps the records whose zone it is', async () => {
  const { records } = await json([
    'query',
    'rrset',
    '*.example.com',
    '--bailiwick',
    'Example.com.',
    '--data',
    sample,
  ])
  assert.deepEqual(brief(records), [
    'example.com CAA (nodata)',
    'example.com SOA ns1.example.com hostmaster.example.com 2026010101 7200 900 1209600 300',
    'nope.example.com A (nxdomain)',
  ])
})

test('rdata queries: an address, a CIDR (also DNSDB a,n), a range, an IPv6 prefix', async () => {
  const q = async (v: string) => brief((await json(['query', 'rdata', v, '--data', sample])).records)
  assert.deepEqual(await q('203.0.113.10'), ['web.example.net A 203.0.113.10'])
  const both = ['web.example.net A 203.0.113.10', 'web.example.net A 203.0.113.11']
  assert.deepEqual(await q('203.0.113.0/24'), both)
  assert.deepEqual(await q('203.0.113.0,24'), both)
  assert.deepEqual(await q('203.0.113.11-203.0.113.200'), ['web.example.net A 203.0.113.11'])
  assert.deepEqual(await q('2001:db8::/32'), ['web.example.net AAAA 2001:db8::10'])
  assert.deepEqual(await q('198.51.100.0/24'), [])
})

test('rdata queries by host name find the records pointing at it, or at any name below with *.', async () => {
  const q = async (...v: string[]) => brief((await json(['query', 'rdata', ...v, '--data', sample])).records)
  assert.deepEqual(await q('web.example.net'), ['www.example.com CNAME web.example.net'])
  assert.deepEqual(await q('*.example.com'), [
    'example.com MX 10 mail.example.com',
    'example.com NS ns1.example.com',
  ])
  assert.deepEqual(await q('*.example.com', '--type', 'NS'), ['example.com NS ns1.example.com'])
  assert.deepEqual(await q('--raw', 'cb00710b'), ['web.example.net A 203.0.113.11'])
})

test('without --format, output to a pipe is COF with the vantage as sensor_id', async () => {
  const r = await runCli(['query', 'rrset', 'nope.example.com', '--data', sample])
  assert.equal(r.code, 0, r.stderr)
  const lines = r.stdout.trim().split('\n')
  assert.equal(lines.length, 1)
  const o = JSON.parse(lines[0]!)
  assert.deepEqual(Object.keys(o), [
    'rrname',
    'rrtype',
    'rdata',
    'time_first',
    'time_last',
    'count',
    'bailiwick',
    'sensor_id',
    'negative',
  ])
  assert.deepEqual(o.rdata, [])
  assert.equal(o.negative, 'nxdomain')
  assert.equal(o.bailiwick, 'example.com')
})

test('--format table prints a header and one aligned row per record', async () => {
  const r = await runCli(['query', 'rrset', 'web.example.net', '--format', 'table', '--data', sample])
  assert.equal(r.code, 0, r.stderr)
  const lines = r.stdout.trimEnd().split('\n')
  assert.equal(lines.length, 4)
  assert.match(
    lines[0]!,
    /^first seen \(UTC\) +last seen \(UTC\) +count +vantages +type +rrname +bailiwick +rdata$/,
  )
  assert.match(
    lines[1]!,
    /^2026-01-01 00:00:01 +2026-01-01 00:00:01 +1 +12D3KooW\S+ +A +web\.example\.net +- +203\.0\.113\.10$/,
  )
})

test('--limit pages through a result: next cursor on stderr, each record once, the last page has none', async () => {
  const all = await json(['query', 'rrset', '*.example.com', '--data', sample])
  const seen: JsonRecord[] = []
  let cursor: string | null = null
  for (let pages = 0; pages < 10; pages++) {
    const args = ['query', 'rrset', '*.example.com', '--limit', '3', '--data', sample]
    if (cursor !== null) args.push('--cursor', cursor)
    const page = await json(args)
    assert.ok(page.records.length <= 3)
    seen.push(...page.records)
    const m = /^next: --cursor (\S+)$/m.exec(page.stderr)
    cursor = m === null ? null : m[1]!
    if (cursor === null) break
  }
  assert.equal(cursor, null)
  assert.deepEqual(brief(seen), brief(all.records))
  assert.equal(new Set(seen.map((r) => JSON.stringify(r))).size, seen.length)
})

test('time fences take epoch seconds, ISO 8601 and relative times', async () => {
  const q = async (...args: string[]) =>
    brief((await json(['query', 'rrset', '*.example.net', '--data', timed, ...args])).records)
  assert.deepEqual(await q('--last-after', '-7d'), ['recent.example.net A 198.51.100.2'])
  assert.deepEqual(await q('--last-before', '-7d'), [
    'fixed.example.net A 198.51.100.3',
    'old.example.net A 198.51.100.1',
  ])
  assert.deepEqual(await q('--first-after', '2026-01-01', '--first-before', '2026-01-01T00:00:00Z'), [
    'fixed.example.net A 198.51.100.3',
  ])
  assert.deepEqual(await q('--first-after', '1767225601', '--last-before', String(now - 40 * DAY)), [])
  assert.deepEqual(await q('--first-after', String(now - 100 * DAY), '--last-before', '-20d'), [
    'old.example.net A 198.51.100.1',
  ])
})

test('records seen by two vantages merge; --origin shows one vantage alone', async () => {
  const merged = await json(['query', 'rrset', 'recent.example.net', '--data', timed])
  assert.equal(merged.records.length, 1)
  const m = merged.records[0]!
  assert.equal(m.count, 7)
  assert.deepEqual([m.first, m.last], [now - 3 * DAY, now - DAY])
  assert.deepEqual(
    m.vantages.map((v) => `${v.origin} ${v.count}`),
    ['cof:a 6', 'cof:b 1'],
  )
  const cof = await runCli(['query', 'rrset', 'recent.example.net', '--format', 'cof', '--data', timed])
  assert.deepEqual(JSON.parse(cof.stdout).vantages, ['cof:a', 'cof:b'])
  const b = await json(['query', 'rrset', 'recent.example.net', '--origin', 'cof:b', '--data', timed])
  assert.deepEqual(
    b.records.map((r) => [r.count, r.first, r.last]),
    [[1, now - 2 * DAY, now - 2 * DAY]],
  )
  const unknown = await runCli([
    'query',
    'rrset',
    'recent.example.net',
    '--origin',
    'nobody',
    '--data',
    timed,
  ])
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr, /unknown origin/)
})

test('query name summarises a name: times, counts per type and per vantage', async () => {
  const r = await runCli(['query', 'name', 'Example.com.', '--format', 'json', '--data', sample])
  assert.equal(r.code, 0, r.stderr)
  const s = JSON.parse(r.stdout)
  assert.equal(s.name, 'example.com')
  assert.equal(s.records, 6)
  assert.equal(s.count, 7)
  assert.equal(s.first_seen, '2026-01-01T00:00:05Z')
  assert.equal(s.last_seen, '2026-01-01T00:00:16Z')
  assert.deepEqual(s.negatives, { nxdomain: 0, nodata: 1 })
  assert.deepEqual(
    s.types.map((t: { rrtype: string; count: number }) => `${t.rrtype} ${t.count}`),
    ['NS 2', 'SOA 2', 'MX 1', 'TXT 1', 'CAA 1'],
  )
  const table = await runCli(['query', 'name', 'example.com', '--format', 'table', '--data', sample])
  assert.match(table.stdout, /^records +6 \(nxdomain 0, nodata 1\)$/m)
  const never = await runCli(['query', 'name', 'never.example', '--data', sample])
  assert.equal(never.code, 0)
  assert.equal(never.stdout, '')
  assert.match(never.stderr, /never\.example was never seen/)
})

test('bad names, addresses, prefixes, types, times and options: one message, exit 2, the database not opened', async () => {
  const missing = join(await mkdtemp(join(tmpdir(), 'pdns-query-')), 'none')
  const cases: [string[], RegExp][] = [
    [['rrset', 'bad..name'], /invalid name: "bad\.\.name"/],
    [['rrset', 'www.*.example.com'], /wildcard/],
    [['rrset', '*'], /matches every name/],
    [['rdata', '10.0.0.0/33'], /prefix length 33 is too long/],
    [['rdata', '300.1.2.3'], /invalid IP address/],
    [['rdata', '10.0.0.9-10.0.0.1'], /range start is above its end/],
    [['rdata', '--raw', 'abc'], /even number of hex digits/],
    [['rdata', 'x.example', '--raw', '0a000001'], /--raw or a positional, not both/],
    [['rrset', 'example.com', '--type', 'NOPE'], /unknown record type: "NOPE"/],
    [['rrset', 'example.com', '--first-after', 'yesterday'], /--first-after: 'yesterday' is not a time/],
    [['rrset', 'example.com', '--last-before', '2026-02-30'], /--last-before: '2026-02-30' is not a time/],
    [
      ['rrset', 'example.com', '--first-after', '2026-02-01', '--first-before', '2026-01-01'],
      /impossible time range: --first-after \(1769904000\) is later than --first-before \(1767225600\)/,
    ],
    [
      ['rdata', '192.0.2.1', '--last-after', '-1d', '--last-before', '-2d'],
      /impossible time range: --last-after .* is later than --last-before/,
    ],
    [
      ['rrset', '*.example.com', '--first-after', '2026-03-01', '--last-before', '2026-02-01'],
      /impossible time range: --first-after .* is later than --last-before/,
    ],
    [['rrset', 'example.com', '--limit', '0'], /--limit: '0' is not an integer from 1 to 1000000/],
    [
      ['rrset', 'example.com', '--limit', '1000001'],
      /--limit: '1000001' is not an integer from 1 to 1000000/,
    ],
    [['rrset', 'example.com', '--format', 'xml'], /--format: 'xml'/],
    [['rrset', 'example.com', '--raw', '00'], /--raw does not apply to query rrset/],
    [['rrset', 'example.com', '--bogus'], /Unknown option '--bogus'/],
    [['name', '*.example.com'], /invalid name/],
    [['name', 'example.com', '--format', 'cof'], /a summary is table or json/],
    [['lookup', 'example.com'], /unknown query 'lookup'/],
    [['rrset'], /what to look up is missing/],
  ]
  for (const [args, message] of cases) {
    const r = await runCli(['query', ...args, '--data', missing])
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.equal(r.stdout, '')
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.match(r.stderr, /^pdns-mesh query: /)
    assert.match(r.stderr, message)
  }
  assert.equal(await exists(missing), false)
})

test('a cursor that is not one, or belongs to another query, is a bad query', async () => {
  const r = await runCli(['query', 'rrset', 'example.com', '--cursor', 'garbage', '--data', sample])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /invalid cursor/)
  const page = await runCli(['query', 'rrset', '*.example.com', '--limit', '1', '--data', sample])
  const cursor = /next: --cursor (\S+)/.exec(page.stderr)![1]!
  const other = await runCli(['query', 'rrset', '*.example.net', '--cursor', cursor, '--data', sample])
  assert.equal(other.code, 2)
  assert.match(other.stderr, /different query/)
})

test('query, export and stats of a directory without a database say so (exit 1) and create nothing', async () => {
  const missing = join(await mkdtemp(join(tmpdir(), 'pdns-query-')), 'none')
  for (const args of [['query', 'rrset', 'example.com'], ['export'], ['stats']]) {
    const r = await runCli([...args, '--data', missing])
    assert.equal(r.code, 1, args.join(' '))
    assert.equal(r.stdout, '')
    assert.match(r.stderr, /^pdns-mesh \w+: no database in .*none \(import captures first/)
  }
  assert.equal(await exists(missing), false)
})

test('a database held by another process (a running node) gives the lock message to query, export and stats', async () => {
  const store = await Store.open(sample)
  try {
    for (const args of [['query', 'rrset', 'example.com'], ['export'], ['stats']]) {
      const r = await runCli([...args, '--data', sample])
      assert.equal(r.code, 1, args.join(' '))
      assert.equal(r.stdout, '')
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
      assert.match(r.stderr, /is in use by another process \(a running node or another import\)/)
    }
  } finally {
    await store.close()
  }
})

test('a database of a newer schema is refused by query with the upgrade message', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pdns-query-'))
  const data = join(dir, 'data')
  assert.equal((await runCli(['import', '--data', data, SAMPLE])).code, 0)
  const rocks = await Rocks.open(join(data, 'db'))
  rocks.write([{ put: metaKey('schema'), value: encodeU32(SCHEMA_VERSION + 1) }], { sync: true })
  await rocks.close()
  const r = await runCli(['query', 'rrset', 'example.com', '--data', data])
  assert.equal(r.code, 1)
  assert.equal(r.stdout, '')
  assert.match(
    r.stderr,
    new RegExp(
      `schema v${SCHEMA_VERSION + 1}; this pdns-mesh reads up to v${SCHEMA_VERSION} \\(upgrade pdns-mesh\\)`,
    ),
  )
})

test('the data directory comes from PDNS_MESH_DATA when --data is absent', async () => {
  const r = await runCli(['query', 'rrset', 'www.example.com', '--format', 'json'], {
    env: { ...process.env, PDNS_MESH_DATA: sample },
  })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(JSON.parse(r.stdout).rrname, 'www.example.com')
})

test('export streams every record per vantage; --format json gives every field', async () => {
  const r = await runCli(['export', '--data', timed, '--format', 'json'])
  assert.equal(r.code, 0, r.stderr)
  const rs = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as JsonRecord)
  assert.deepEqual(
    rs.map((x) => `${x.rrname} ${x.vantages.map((v) => v.origin).join(',')} ${x.count}`).sort(),
    [
      'fixed.example.net cof:b 2',
      'old.example.net cof:a 4',
      'recent.example.net cof:a 6',
      'recent.example.net cof:b 1',
    ],
  )
})

test('stats describes origins, record counts and size', async () => {
  const r = await runCli(['stats', '--data', timed, '--format', 'json'])
  assert.equal(r.code, 0, r.stderr)
  const s = JSON.parse(r.stdout)
  // three records; recent.example.net was seen by both vantages
  assert.equal(s.records, 3)
  assert.equal(s.negatives, 0)
  assert.equal(s.entries, 4)
  assert.deepEqual(s.origins.map((o: { label: string }) => o.label).sort(), ['cof:a', 'cof:b'])
  const t = await runCli(['stats', '--data', timed, '--format', 'table'])
  assert.match(t.stdout, /^records +3 \(answers 3, negative answers 0\)$/m)
  assert.match(t.stdout, /^per vantage +4 \(record, vantage\) pairs$/m)
})
