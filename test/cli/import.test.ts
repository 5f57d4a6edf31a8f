import assert from 'node:assert/strict'
import { access, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { PdnsError } from '../../node/errors.ts'
import { parseCofLine } from '../../node/ingest/cof.ts'
import { encodeU32, metaKey, SCHEMA_VERSION } from '../../node/store/keys.ts'
import { nativeAddon, nativeAddonUnavailable } from '../../node/store/native/index.ts'
import { Rocks } from '../../node/store/rocks.ts'
import { Store } from '../../node/store/store.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { REPO, runCli } from '../helpers/run-cli.ts'

const SAMPLE = join(REPO, 'test/fixtures/sample.pcap')

async function tempDir(): Promise<string> {
  return await mkdtemp(join(tmpdir(), 'pdns-import-'))
}

async function exists(path: string): Promise<boolean> {
  return await access(path).then(
    () => true,
    () => false,
  )
}

function cofLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

async function exportCof(data: string): Promise<string[]> {
  const r = await runCli(['export', '--data', data])
  assert.equal(r.code, 0, r.stderr)
  return r.stdout.split('\n').filter((l) => l.length > 0)
}

async function stats(data: string) {
  const r = await runCli(['stats', '--data', data, '--format', 'json'])
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout) as {
    records: number
    negatives: number
    origins: { id: number; label: string; local: boolean; entries: number }[]
  }
}

// ---------------------------------------------------------------- COF lines

function records(line: string) {
  const r = parseCofLine(line)
  if (r instanceof PdnsError) assert.fail(`unexpected bad record: ${r.message}`)
  return r
}

function reason(line: string): string {
  const r = parseCofLine(line)
  assert.ok(r instanceof PdnsError, `expected ${line} to be refused`)
  assert.equal(r.code, 'ERR_BAD_RECORD')
  return r.message
}

test('a COF line reads into records in the parser form: lower-case names without the dot, compressed IPv6', () => {
  const [r] = records(
    '{"rrname":"WWW.Example.COM.","rrtype":"AAAA","rdata":"2001:DB8:0:0::10","time_first":10,"time_last":20,"count":3,"bailiwick":"Example.com.","sensor_id":"s1"}',
  )
  assert.deepEqual(r, {
    kind: 'rr',
    rrname: 'www.example.com',
    rrtype: 28,
    bailiwick: 'example.com',
    rdata: '2001:db8::10',
    first: 10,
    last: 20,
    count: 3,
    sensorId: 's1',
  })
})

test('COF rdata arrays give one record each; host names inside rdata are made canonical', () => {
  const rs = records(
    '{"rrname":"example.com","rrtype":"MX","rdata":["10 MX1.Example.com.","20 mx2.example.com"],"time_first":1,"time_last":2}',
  )
  assert.deepEqual(
    rs.map((r) => r.rdata),
    ['10 mx1.example.com', '20 mx2.example.com'],
  )
  assert.equal(rs[0]!.count, 1, 'count defaults to 1')
  assert.equal(rs[0]!.sensorId, null)
  const [cname] = records(
    '{"rrname":"a.example","rrtype":"cname","rdata":"B.Example.","time_first":1,"time_last":1}',
  )
  assert.equal(cname!.rdata, 'b.example')
  const [txt] = records(
    '{"rrname":"a.example","rrtype":16,"rdata":"\\"Keep Case\\"","time_first":1,"time_last":1}',
  )
  assert.equal(txt!.rrtype, 16)
  assert.equal(txt!.rdata, '"Keep Case"')
})

test('COF times may come in milliseconds, types as TYPEnnn or numbers', () => {
  const [r] = records(
    '{"rrname":"a.example","rrtype":"TYPE65","rdata":"1 . alpn=h2","time_first_ms":1500,"time_last_ms":2999}',
  )
  assert.equal(r!.rrtype, 65)
  assert.equal(r!.first, 1)
  assert.equal(r!.last, 2)
})

test('the negative extension reads back as nxdomain and nodata records without rdata', () => {
  const [r] = records(
    '{"rrname":"nope.example","rrtype":"A","rdata":[],"time_first":5,"time_last":6,"negative":"nxdomain"}',
  )
  assert.equal(r!.kind, 'nxdomain')
  assert.equal(r!.rdata, '')
  assert.match(
    reason(
      '{"rrname":"a.example","rrtype":"A","rdata":["1.2.3.4"],"time_first":1,"time_last":1,"negative":"nodata"}',
    ),
    /nodata record with rdata/,
  )
  assert.match(
    reason('{"rrname":"a.example","rrtype":"A","time_first":1,"time_last":1,"negative":"gone"}'),
    /negative "gone"/,
  )
})

test('COF lines that cannot be records are refused with the reason', () => {
  const base = { rrname: 'a.example', rrtype: 'A', rdata: '192.0.2.1', time_first: 1, time_last: 2 }
  const line = (o: Record<string, unknown>) => JSON.stringify({ ...base, ...o })
  assert.match(reason('not json'), /not JSON/)
  assert.match(reason('[1]'), /not a JSON object/)
  assert.match(reason(line({ rrname: undefined })), /rrname missing/)
  assert.match(reason(line({ rrname: 'a..example' })), /rrname "a..example" is not a domain name/)
  assert.match(reason(line({ rrname: `${'x'.repeat(64)}.example` })), /not a domain name/)
  assert.match(reason(line({ rrtype: 'NOPE' })), /rrtype "NOPE" is not a type/)
  assert.match(reason(line({ rrtype: 70000 })), /rrtype 70000/)
  assert.match(reason(line({ rdata: '300.1.1.1' })), /not an IPv4 address/)
  assert.match(reason(line({ rdata: [] })), /rdata is empty/)
  assert.match(reason(line({ rdata: [1] })), /rdata is not a string/)
  assert.match(reason(line({ time_first: undefined })), /time_first missing/)
  assert.match(reason(line({ time_last: 'soon' })), /time_last "soon" is not a number/)
  assert.match(reason(line({ time_first: 3 })), /time_first 3 is after time_last 2/)
  assert.match(reason(line({ time_last: 2 ** 33 })), /out of range/)
  assert.match(reason(line({ count: 0 })), /count 0 is not a positive integer/)
  assert.match(reason(line({ bailiwick: 'x..y' })), /bailiwick/)
  assert.match(reason(line({ rrclass: 'CH' })), /only class IN/)
  assert.match(reason(line({ sensor_id: 'a\nb' })), /sensor_id/)
})

test('random bytes never make the COF reader throw: every line is records or a reason (seeded)', () => {
  const rand = prng(20260101)
  const pieces = [
    '{',
    '}',
    '"rrname"',
    ':',
    '"a.example"',
    ',',
    '"rrtype"',
    '"A"',
    '"rdata"',
    '[',
    ']',
    '1',
    '"x"',
  ]
  for (let i = 0; i < 2000; i++) {
    let line = ''
    const n = randInt(rand, 20)
    for (let k = 0; k < n; k++) line += pieces[randInt(rand, pieces.length)]
    const r = parseCofLine(line)
    assert.ok(Array.isArray(r) || r instanceof PdnsError, line)
  }
})

// ---------------------------------------------------------------- the command

test('import records the sample capture as this node (its peer id) and summarises what it stored', async () => {
  const data = join(await tempDir(), 'data')
  const r = await runCli(['import', '--data', data, SAMPLE])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /^files 1 \(captures 1, COF 0\): packets 17, observations 13$/m)
  assert.match(r.stderr, /^records inserted 11, updated 0, unchanged 0 /m)
  assert.match(r.stderr, /^not stored: none$/m)
  assert.ok(await exists(join(data, 'identity.key')))
  const s = await stats(data)
  assert.equal(s.records, 9)
  assert.equal(s.negatives, 2)
  assert.equal(s.origins.length, 1)
  assert.match(s.origins[0]!.label, /^12D3KooW/)
  assert.equal(s.origins[0]!.local, true)
})

test('importing a capture again adds its observations to the local counts', async () => {
  const data = join(await tempDir(), 'data')
  assert.equal((await runCli(['import', '--data', data, SAMPLE])).code, 0)
  const r = await runCli(['import', '--data', data, '--summary-json', SAMPLE])
  assert.equal(r.code, 0, r.stderr)
  const summary = JSON.parse(r.stderr.trim())
  assert.equal(summary.inserted, 0)
  assert.equal(summary.updated, 11)
  const cname = cofLines((await exportCof(data)).join('\n')).find((o) => o.rrtype === 'CNAME')!
  assert.equal(cname.count, 4)
})

test('--origin records a capture under the given label instead of the peer id', async () => {
  const data = join(await tempDir(), 'data')
  const r = await runCli(['import', '--data', data, '--origin', 'site-a', SAMPLE])
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(
    (await stats(data)).origins.map((o) => o.label),
    ['site-a'],
  )
})

test("--origin naming another node is refused before anything is written; the node's own sub-origin is taken", async () => {
  const data = join(await tempDir(), 'data')
  const other = await runCli(['id', '--data', join(data, '..', 'other')])
  assert.equal(other.code, 0, other.stderr)
  const stranger = other.stdout.trim()
  for (const origin of [stranger, `${stranger}/resolver1`]) {
    const r = await runCli(['import', '--data', data, '--origin', origin, SAMPLE])
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /another node's origin; only its own key may speak for it/)
  }
  await assert.rejects(access(join(data, 'db')), 'nothing was written')
  const self = (await runCli(['id', '--data', data])).stdout.trim()
  const own = await runCli(['import', '--data', data, '--origin', `${self}/resolver1`, SAMPLE])
  assert.equal(own.code, 0, own.stderr)
  const sub = (await stats(data)).origins.find((o) => o.label === `${self}/resolver1`)
  assert.ok(sub !== undefined && sub.entries > 0, "the records are under the node's own sub-origin")
})

const COF_SAMPLE = [
  {
    rrname: 'www.example.org',
    rrtype: 'A',
    rdata: ['192.0.2.1', '192.0.2.2'],
    time_first: 1_700_000_000,
    time_last: 1_700_000_100,
    count: 5,
    sensor_id: 'east',
  },
  {
    rrname: 'example.org',
    rrtype: 'NS',
    rdata: 'ns1.example.org.',
    time_first: 1_700_000_000,
    time_last: 1_700_000_000,
    count: 2,
    bailiwick: 'org',
    sensor_id: 'west',
  },
  {
    rrname: 'gone.example.org',
    rrtype: 'A',
    rdata: [],
    time_first: 1_700_000_050,
    time_last: 1_700_000_050,
    count: 1,
    negative: 'nxdomain',
    sensor_id: 'east',
  },
  {
    rrname: 'mail.example.org',
    rrtype: 'MX',
    rdata: '10 mx.example.org',
    time_first_ms: 1_700_000_000_500,
    time_last_ms: 1_700_000_009_999,
  },
]
  .map((o) => JSON.stringify(o))
  .join('\n')

test('COF records go to cof:<sensor_id> origins (cof:unknown without one), negatives included', async () => {
  const dir = await tempDir()
  const data = join(dir, 'data')
  const file = join(dir, 'in.cof')
  await writeFile(file, `${COF_SAMPLE}\n`)
  const r = await runCli(['import', '--data', data, file])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, /^files 1 \(captures 0, COF 1\): COF lines 4 \(bad 0\)$/m)
  assert.match(r.stderr, /^records inserted 5, updated 0, unchanged 0 /m)
  const out = cofLines((await exportCof(data)).join('\n'))
  const brief = out.map(
    (o) =>
      `${o.sensor_id} ${o.rrname} ${o.rrtype} ${JSON.stringify(o.rdata)} ${o.count} ${o.time_first}-${o.time_last}${o.negative ? ` ${o.negative}` : ''}`,
  )
  assert.deepEqual(brief.sort(), [
    'cof:east gone.example.org A [] 1 1700000050-1700000050 nxdomain',
    'cof:east www.example.org A ["192.0.2.1"] 5 1700000000-1700000100',
    'cof:east www.example.org A ["192.0.2.2"] 5 1700000000-1700000100',
    'cof:unknown mail.example.org MX ["10 mx.example.org"] 1 1700000000-1700000009',
    'cof:west example.org NS ["ns1.example.org"] 2 1700000000-1700000000',
  ])
  assert.equal(out.find((o) => o.rrtype === 'NS')!.bailiwick, 'org')
})

test('re-importing the same COF changes nothing: counts merge by maximum', async () => {
  const dir = await tempDir()
  const data = join(dir, 'data')
  const file = join(dir, 'in.cof')
  await writeFile(file, `${COF_SAMPLE}\n`)
  assert.equal((await runCli(['import', '--data', data, file])).code, 0)
  const before = await exportCof(data)
  const r = await runCli(['import', '--data', data, file])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, /^records inserted 0, updated 0, unchanged 5 /m)
  assert.deepEqual(await exportCof(data), before)
})

test('a larger count or a wider time span in a later COF copy widens the record', async () => {
  const dir = await tempDir()
  const data = join(dir, 'data')
  const line = (first: number, last: number, count: number) =>
    JSON.stringify({
      rrname: 'a.example',
      rrtype: 'A',
      rdata: '192.0.2.7',
      time_first: first,
      time_last: last,
      count,
      sensor_id: 's',
    })
  await writeFile(join(dir, '1.cof'), `${line(100, 200, 7)}\n`)
  await writeFile(join(dir, '2.cof'), `${line(50, 150, 3)}\n${line(120, 300, 9)}\n`)
  assert.equal((await runCli(['import', '--data', data, join(dir, '1.cof'), join(dir, '2.cof')])).code, 0)
  const [o] = cofLines((await exportCof(data)).join('\n'))
  assert.deepEqual([o!.time_first, o!.time_last, o!.count], [50, 300, 9])
})

test('COF round trip: export, import into a fresh directory, export again gives the same lines', async () => {
  const dir = await tempDir()
  const a = join(dir, 'a')
  assert.equal((await runCli(['import', '--data', a, SAMPLE])).code, 0)
  const cofFile = join(dir, 'extra.cof')
  await writeFile(cofFile, `${COF_SAMPLE}\n`)
  assert.equal((await runCli(['import', '--data', a, cofFile])).code, 0)
  const first = await exportCof(a)
  assert.equal(first.length, 16)
  const peer = (await stats(a)).origins.find((o) => o.local)!.label

  // the node's own records arrive in the copy as a COF sensor: cof:<peer id>; cof: labels stay as they are
  await writeFile(join(dir, 'first.cof'), `${first.join('\n')}\n`)
  const b = join(dir, 'b')
  const r = await runCli(['import', '--data', b, join(dir, 'first.cof')])
  assert.equal(r.code, 0, r.stderr)
  const second = await exportCof(b)
  const relabelled = first.map((l) => l.replace(`"sensor_id":"${peer}"`, `"sensor_id":"cof:${peer}"`))
  assert.deepEqual(second.sort(), relabelled.sort())

  await writeFile(join(dir, 'second.cof'), `${second.join('\n')}\n`)
  const c = join(dir, 'c')
  assert.equal((await runCli(['import', '--data', c, join(dir, 'second.cof')])).code, 0)
  assert.deepEqual(await exportCof(c), await exportCof(b))
})

test('gzip-compressed COF and an empty export import like plain files', async () => {
  const dir = await tempDir()
  const data = join(dir, 'data')
  await writeFile(join(dir, 'in.cof.gz'), gzipSync(`${COF_SAMPLE}\r\n`))
  await writeFile(join(dir, 'empty.cof'), '')
  const r = await runCli(['import', '--data', data, join(dir, 'in.cof.gz'), join(dir, 'empty.cof')])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, /COF lines 4 \(bad 0\)/)
  assert.equal((await exportCof(data)).length, 5)
})

test('bad COF lines are counted and listed by line number; the valid lines are imported; exit 1', async () => {
  const dir = await tempDir()
  const data = join(dir, 'data')
  const good = (i: number) =>
    JSON.stringify({
      rrname: `h${i}.example`,
      rrtype: 'A',
      rdata: `192.0.2.${i}`,
      time_first: 1,
      time_last: 2,
    })
  const lines = [
    good(1),
    '{"rrname":"x..example","rrtype":"A","rdata":"192.0.2.9","time_first":1,"time_last":1}',
    good(2),
    '',
    '{oops',
    good(3),
  ]
  for (let i = 0; i < 6; i++) lines.push('{"rrname":"a.example"}')
  await writeFile(join(dir, 'mixed.cof'), `${lines.join('\n')}\n`)
  const r = await runCli(['import', '--data', data, join(dir, 'mixed.cof')])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /COF lines 11 \(bad 8\)/)
  assert.match(
    r.stderr,
    /mixed\.cof: 8 bad COF lines not imported \(line 2: rrname "x\.\.example" is not a domain name; line 5: not JSON .*; line 7: rrtype missing; line 8: rrtype missing; line 9: rrtype missing; and 3 more\)/,
  )
  assert.equal((await exportCof(data)).length, 3)
})

test('a file that is neither a capture nor COF, or is missing, imports nothing and creates nothing', async () => {
  const dir = await tempDir()
  const data = join(dir, 'data')
  await writeFile(join(dir, 'notes.txt'), 'hello\n')
  const r = await runCli([
    'import',
    '--data',
    data,
    SAMPLE,
    join(dir, 'notes.txt'),
    join(dir, 'missing.pcap'),
  ])
  assert.equal(r.code, 1)
  assert.equal(r.stdout, '')
  assert.match(
    r.stderr,
    /notes\.txt: content is neither a capture \(pcap, pcapng\), dnstap, COF NDJSON, Suricata EVE JSON nor a passivedns log \(first bytes: 68 65 6c 6c 6f 0a\)/,
  )
  assert.match(r.stderr, /missing\.pcap: cannot open/)
  assert.match(r.stderr, /nothing was imported/)
  assert.equal(await exists(data), false)
})

test('import without files or with a bad option is a usage error (exit 2)', async () => {
  const dir = await tempDir()
  const data = join(dir, 'data')
  for (const args of [
    ['import', '--data', data],
    ['import', '--data', data, '--port', '0', SAMPLE],
    ['import', '--data', data, '--origin', '', SAMPLE],
  ]) {
    const r = await runCli(args)
    assert.equal(r.code, 2, args.join(' '))
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
  }
  assert.equal(await exists(data), false)
})

test('import into a database held by another process says so and writes nothing', async () => {
  const dir = await tempDir()
  const data = join(dir, 'data')
  assert.equal((await runCli(['import', '--data', data, SAMPLE])).code, 0)
  const store = await Store.open(data)
  try {
    const cofFile = join(dir, 'in.cof')
    await writeFile(cofFile, `${COF_SAMPLE}\n`)
    const r = await runCli(['import', '--data', data, cofFile])
    assert.equal(r.code, 1)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.match(r.stderr, /^pdns-mesh import: the database in .* is in use by another process/)
  } finally {
    await store.close()
  }
  assert.equal((await exportCof(data)).length, 11)
})

test('import refuses a database written by a newer pdns-mesh and leaves it as it was', async () => {
  const dir = await tempDir()
  const data = join(dir, 'data')
  assert.equal((await runCli(['import', '--data', data, SAMPLE])).code, 0)
  const rocks = await Rocks.open(join(data, 'db'))
  rocks.write([{ put: metaKey('schema'), value: encodeU32(SCHEMA_VERSION + 1) }], { sync: true })
  await rocks.close()
  const r = await runCli(['import', '--data', data, SAMPLE])
  assert.equal(r.code, 1)
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
  assert.match(
    r.stderr,
    new RegExp(`written with schema v${SCHEMA_VERSION + 1}; this pdns-mesh reads up to v${SCHEMA_VERSION}`),
  )
  const check = await Rocks.open(join(data, 'db'))
  try {
    let n = 0
    for (const _ of check.range({})) n++
    // meta (schema, the domain-index and feed-backfilled markers) + origin (2 keys) + 11 records x
    // (RRSET + SEEN + FIRST + TTL) + 9 RDATA + 9 FWD + 2 DOMAIN (registered domains) + the node's
    // feed (one signed entry and its head)
    assert.equal(n, 3 + 2 + 44 + 9 + 9 + 2 + 2)
  } finally {
    await check.close()
  }
})

test('an import without the native addon says so, with the reason, and stores the same records', async (t) => {
  const dir = await tempDir()
  const off = await runCli(['import', '--data', join(dir, 'off'), SAMPLE], {
    env: { PDNS_MESH_API: '', ...process.env, PDNS_MESH_NATIVE: 'off' },
  })
  assert.equal(off.code, 0, off.stderr)
  assert.match(off.stderr, /native addon is not in use \(turned off \(PDNS_MESH_NATIVE=off\)\)/)
  const quiet = await runCli(['import', '--quiet', '--data', join(dir, 'quiet'), SAMPLE], {
    env: { PDNS_MESH_API: '', ...process.env, PDNS_MESH_NATIVE: 'off' },
  })
  assert.equal(quiet.code, 0, quiet.stderr)
  assert.equal(quiet.stderr, '')
  const on = await runCli(['import', '--data', join(dir, 'on'), SAMPLE], {
    env: { PDNS_MESH_API: '', ...process.env, PDNS_MESH_NATIVE: '' },
  })
  assert.equal(on.code, 0, on.stderr)
  if (nativeAddon() !== null) assert.doesNotMatch(on.stderr, /native addon/)
  else t.diagnostic(`the native addon is not built here: ${nativeAddonUnavailable()}`)
  // each data directory has an identity of its own: the records are the same under another sensor_id
  const records = async (data: string) =>
    (await exportCof(data)).map((l) => ({ ...(JSON.parse(l) as object), sensor_id: 'this node' }))
  const written = await records(join(dir, 'off'))
  assert.equal(written.length, 11)
  assert.deepEqual(written, await records(join(dir, 'on')))
})
