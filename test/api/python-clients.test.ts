/**
 * The requests PyPDNS (CIRCL/PyPDNS 2.3.1) and DNSDB's Python client (dnsdb/dnsdb2-python 1.1.5)
 * send, replayed with fetch() against a real node, and read as those clients read the answers. The
 * clients cannot be installed in CI (no PyPI); docs/API.md records the run of the real ones. What
 * they send was logged from them: header names and values, path escaping and query parameters below
 * are theirs, byte for byte where it matters.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type NodeProcess, startNode } from '../e2e/node-process.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { runCli } from '../helpers/run-cli.ts'
import { createApiKey, SAMPLE } from './helpers.ts'

type Json = Record<string, unknown>

/** What requests (python3-requests) adds to every request, and PyPDNS's own user agent. */
const REQUESTS_HEADERS = { 'accept-encoding': 'gzip, deflate', connection: 'keep-alive' }
const PYPDNS_HEADERS = { ...REQUESTS_HEADERS, accept: '*/*', 'user-agent': 'PyPDNS / 2.3.1' }
const DNSDB2_HEADERS = {
  ...REQUESTS_HEADERS,
  accept: 'application/x-ndjson',
  'user-agent': 'python-requests/2.28.1',
}
/** dnsdb2's base parameters (its version is "unknown" when run from a source checkout) */
const DNSDB2_BASE = 'swclient=dnsdb2python&version=unknown'

/** COF: `count` seeded records under paging.example.org, 50 under fifty.example.org, two of unknown types. */
function cofFixture(count: number): string {
  const rand = prng(13)
  const lines: Json[] = []
  for (let i = 0; i < count; i++) {
    const first = 1_767_225_600 + randInt(rand, 86_400)
    lines.push({
      rrname: `h${i}.paging.example.org`,
      rrtype: 'A',
      rdata: `10.9.${randInt(rand, 256)}.${randInt(rand, 256)}`,
      time_first: first,
      time_last: first + randInt(rand, 3600),
      count: 1 + randInt(rand, 9),
      sensor_id: 'east',
    })
  }
  for (let i = 0; i < 50; i++) {
    lines.push({
      rrname: `n${i}.fifty.example.org`,
      rrtype: 'AAAA',
      rdata: `2001:db8::${i.toString(16)}`,
      time_first: 1_767_225_600,
      time_last: 1_767_225_600,
      count: 1,
      sensor_id: 'east',
    })
  }
  for (const [name, type] of [
    ['odd.example.org', 65534],
    ['odd2.example.org', 'TYPE65533'],
  ] as const) {
    lines.push({
      rrname: name,
      rrtype: type,
      rdata: ['\\# 2 abcd'],
      time_first: 1_767_225_600,
      time_last: 1_767_225_700,
      count: 3,
      sensor_id: 'east',
    })
  }
  return `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`
}

/** A record as PyPDNS's PDNSRecord checks it; throws where PyPDNS would raise. */
function pdnsRecord(o: Json): Json {
  assert.equal(typeof o.rrname, 'string')
  // PyPDNS: RdataType[mnemonic] or RdataType(number); a string like "TYPE65534" is a KeyError there
  if (typeof o.rrtype === 'string') assert.match(o.rrtype, /^[A-Z][A-Z0-9-]*$/)
  else assert.ok(Number.isInteger(o.rrtype), `rrtype ${JSON.stringify(o.rrtype)}`)
  assert.match(String(o.rrtype), /^(?!TYPE[0-9])/)
  assert.ok(typeof o.rdata === 'string' || Array.isArray(o.rdata))
  for (const f of ['time_first', 'time_last', 'count']) assert.ok(Number.isInteger(o[f]), f)
  for (const [k, v] of Object.entries(o)) assert.notEqual(v, null, `${k} is null`)
  for (const f of ['bailiwick', 'sensor_id']) if (f in o) assert.equal(typeof o[f], 'string', f)
  return o
}

function canon(o: Json): string {
  return JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1))))
}

/** dnsdb2's handle_saf: objs up to the final condition; a stream without one is "truncated". */
function readSaf(text: string): { objs: Json[]; end: string; msg?: string } {
  const objs: Json[] = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    const m = JSON.parse(line) as { cond?: string; obj?: Json; msg?: string }
    if (m.cond === 'begin') continue
    if (m.cond === 'succeeded') return { objs, end: 'succeeded' }
    if (m.obj !== undefined) objs.push(m.obj)
    if (m.cond === 'ongoing' || m.cond === undefined) continue
    if (m.cond === 'limited' || m.cond === 'failed') return { objs, end: m.cond, msg: m.msg ?? '' }
    throw new Error(`invalid cond: ${m.cond}`)
  }
  return { objs, end: 'truncated' }
}

describe('PyPDNS and dnsdb2 requests against a real node', () => {
  let dir: string
  let node: NodeProcess
  let base: string
  let key: string
  let tinyKey: string
  const PAGED = 130

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pdns-pyclients-'))
    const data = join(dir, 'data')
    const cof = join(dir, 'fixture.cof')
    writeFileSync(cof, cofFixture(PAGED))
    const imp = await runCli(['import', '--data', data, SAMPLE, cof])
    assert.equal(imp.code, 0, imp.stderr)
    key = await createApiKey(data, 'alice')
    tinyKey = await createApiKey(data, 'tiny', '--max-limit', '5')
    node = await startNode(data, ['--no-capture', '--no-dnstap', '--api', '127.0.0.1:0'])
    const started = node.logs.find((l) => l.msg === 'node started') as unknown as { api: { api: string } }
    base = started.api.api
  })

  after(async () => {
    await node?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const basic = (name: string, k: string) => `Basic ${Buffer.from(`${name}:${k}`).toString('base64')}`

  /** PyPDNS's rfc_query: one request, no paging headers; every line a record. */
  const rfcQuery = async (q: string, extra: Record<string, string> = {}): Promise<Json[]> => {
    const r = await fetch(`${base}/pdns/query/${q}`, {
      headers: { ...PYPDNS_HEADERS, authorization: basic('alice', key), ...extra },
    })
    assert.equal(r.status, 200, q)
    return (await r.text())
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => pdnsRecord(JSON.parse(l) as Json))
  }

  /** PyPDNS's iter_query loop, as written: count 50, the cursor header only once it is above 0. */
  const iterQuery = async (q: string, filter?: string): Promise<{ records: Json[]; requests: number }> => {
    let cursor = -1
    const headers: Record<string, string> = {
      ...PYPDNS_HEADERS,
      authorization: basic('alice', key),
      'dribble-paginate-count': '50',
    }
    if (filter !== undefined) headers['dribble-filter-rrtype'] = filter
    const records: Json[] = []
    for (let requests = 1; requests < 100; requests++) {
      if (cursor > 0) headers['dribble-paginate-cursor'] = String(cursor)
      const r = await fetch(`${base}/pdns/query/${q}`, { headers })
      assert.equal(r.status, 200)
      for (const l of (await r.text()).split('\n')) if (l !== '') records.push(pdnsRecord(JSON.parse(l)))
      const next = r.headers.get('x-dribble-cursor')
      if (next === null) return { records, requests }
      cursor = Number.parseInt(next, 10)
      assert.ok(cursor > 0, `x-dribble-cursor ${next}: PyPDNS would start over without the header`)
    }
    throw new Error('iter_query did not end')
  }

  test('PyPDNS rfc_query: names, wildcards, an address and a prefix written with a slash, unescaped', async () => {
    const www = await rfcQuery('www.example.com')
    assert.deepEqual(
      www.map((r) => `${r.rrname} ${r.rrtype} ${r.rdata}`),
      ['www.example.com CNAME web.example.net'],
    )
    const wild = await rfcQuery('*.example.com')
    assert.ok(wild.some((r) => r.rrname === 'example.com' && r.rrtype === 'NS'))
    assert.ok(wild.every((r) => String(r.rrname).endsWith('example.com')))
    assert.deepEqual(
      (await rfcQuery('203.0.113.10')).map((r) => r.rrname),
      ['web.example.net'],
    )
    const slash = await rfcQuery('203.0.113.0/24')
    assert.deepEqual(slash.map(canon), (await rfcQuery('203.0.113.0,24')).map(canon))
    assert.ok(slash.length >= 2)
    const ns = await rfcQuery('*.example.com', { 'dribble-filter-rrtype': 'NS' })
    assert.ok(ns.length > 0 && ns.every((r) => r.rrtype === 'NS'))
  })

  test('PyPDNS: a type without a mnemonic comes as its number, which RdataType(n) takes', async () => {
    const odd = await rfcQuery('*.example.org', { 'dribble-filter-rrtype': 'TYPE65534' })
    assert.deepEqual(
      odd.map((r) => [r.rrname, r.rrtype]),
      [['odd.example.org', 65534]],
    )
  })

  test('PyPDNS iter_query pages 50 at a time through dribble headers and gets what rfc_query gets', async () => {
    const all = await rfcQuery('*.paging.example.org')
    assert.equal(all.length, PAGED)
    const { records, requests } = await iterQuery('*.paging.example.org')
    assert.equal(requests, Math.ceil(PAGED / 50))
    assert.deepEqual(records.map(canon).sort(), all.map(canon).sort())
    // exactly one page's worth: a last request answers nothing and ends the loop
    const fifty = await iterQuery('*.fifty.example.org')
    assert.equal(fifty.records.length, 50)
    assert.ok(fifty.requests <= 2)
    const filtered = await iterQuery('*.example.org', 'AAAA')
    assert.equal(filtered.records.length, 50)
  })

  test("PyPDNS auth: basic auth, auth_token's bare Authorization header; wrong 403, none 401", async () => {
    const url = `${base}/pdns/query/www.example.com`
    const token = await fetch(url, { headers: { ...PYPDNS_HEADERS, authorization: key } })
    assert.equal(token.status, 200)
    assert.equal((await token.text()).split('\n').filter((l) => l !== '').length, 1)
    // ForbiddenError
    for (const auth of [basic('alice', 'pdm_wrong'), basic('bob', key), 'pdm_wrong']) {
      const r = await fetch(url, { headers: { ...PYPDNS_HEADERS, authorization: auth } })
      assert.equal(r.status, 403, auth)
      await r.text()
    }
    // UnauthorizedError
    const none = await fetch(url, { headers: PYPDNS_HEADERS })
    assert.equal(none.status, 401)
    await none.text()
  })

  /** A dnsdb2 request: its headers and base parameters, then `params` as it appends them. */
  const dnsdb2 = async (path: string, params = '', k = key): Promise<Response> =>
    await fetch(`${base}/dnsdb/v2/${path}?${DNSDB2_BASE}${params === '' ? '' : `&${params}`}`, {
      headers: { ...DNSDB2_HEADERS, 'X-Api-Key': k },
    })
  const saf = async (path: string, params = '', k = key) => {
    const r = await dnsdb2(path, params, k)
    assert.equal(r.status, 200, path)
    assert.match(r.headers.get('content-type') ?? '', /^application\/x-ndjson/)
    return readSaf(await r.text())
  }

  test('dnsdb2 ping and rate_limit are JSON its res.json() reads', async () => {
    assert.deepEqual(await (await dnsdb2('ping')).json(), { ping: 'ok' })
    const rate = (await (await dnsdb2('rate_limit')).json()) as { rate: Record<string, unknown> }
    assert.equal(rate.rate.results_max, 100_000)
    assert.equal(typeof rate.rate.offset_max, 'number')
  })

  test('dnsdb2 lookups: %2A-quoted names, /ANY/ before a bailiwick, a prefix with a comma', async () => {
    const wild = await saf('lookup/rrset/name/%2A.example.com')
    assert.equal(wild.end, 'succeeded')
    const circl = await rfcQuery('*.example.com')
    assert.deepEqual(wild.objs.map(canon).sort(), circl.map(canon).sort())
    const ns = await saf('lookup/rrset/name/%2A.example.com/NS')
    assert.ok(ns.objs.length === 2 && ns.objs.every((o) => o.rrtype === 'NS'))
    const bailiwick = await saf('lookup/rrset/name/example.com/ANY/example.com')
    assert.deepEqual(
      bailiwick.objs.map((o) => `${o.rrtype} ${o.bailiwick}`),
      ['SOA example.com'],
    )
    const ip = await saf('lookup/rdata/ip/203.0.113.0,24')
    assert.deepEqual(ip.objs.map(canon).sort(), (await rfcQuery('203.0.113.0/24')).map(canon).sort())
    const names = await saf('lookup/rdata/name/ns1.example.com')
    assert.deepEqual(
      names.objs.map((o) => `${o.rrname} ${o.rrtype}`),
      ['example.com NS'],
    )
  })

  test('dnsdb2 parameters as Python renders them: aggr=False, humantime=True, relative fences', async () => {
    const r = await saf(
      'lookup/rrset/name/www.example.com',
      'aggr=False&humantime=True&time_first_after=1767225600',
    )
    assert.equal(r.end, 'succeeded')
    assert.equal(r.objs.length, 1)
    assert.match(String(r.objs[0]!.time_first), /^2026-01-01T00:00:01Z$/)
    assert.equal((await saf('lookup/rrset/name/www.example.com', 'time_last_after=-86400')).objs.length, 0)
  })

  test('dnsdb2 paging: limit ends "limited" (QueryLimited); offset pages add up to the whole', async () => {
    const limited = await saf('lookup/rrset/name/%2A.paging.example.org', 'limit=3')
    assert.deepEqual([limited.objs.length, limited.end], [3, 'limited'])
    const whole = await saf('lookup/rrset/name/%2A.paging.example.org', 'limit=0')
    assert.deepEqual([whole.objs.length, whole.end], [PAGED, 'succeeded'])
    const pages: Json[] = []
    for (let offset = 0; offset < PAGED + 50; offset += 50) {
      pages.push(...(await saf('lookup/rrset/name/%2A.paging.example.org', `limit=50&offset=${offset}`)).objs)
    }
    assert.deepEqual(pages.map(canon).sort(), whole.objs.map(canon).sort())
    const tiny = await saf('lookup/rrset/name/%2A.paging.example.org', 'limit=0', tinyKey)
    assert.deepEqual([tiny.objs.length, tiny.end], [5, 'limited'])
  })

  test('dnsdb2 summarize with max_count', async () => {
    const all = await saf('summarize/rrset/name/%2A.paging.example.org')
    assert.equal(all.end, 'succeeded')
    assert.equal(all.objs[0]!.num_results, PAGED)
    const capped = await saf('summarize/rdata/name/%2A.example.com', 'max_count=1')
    assert.equal(capped.objs.length, 1)
  })

  test('dnsdb2 errors: 401/403 (AccessDenied), 400 (QueryError) with a JSON message', async () => {
    for (const [k, status] of [
      ['pdm_wrong', 403],
      ['', 401],
    ] as const) {
      const r = await dnsdb2('lookup/rrset/name/www.example.com', '', k)
      assert.equal(r.status, status)
      assert.equal(typeof ((await r.json()) as { message: string }).message, 'string')
    }
    for (const [path, params] of [
      ['lookup/rrset/name/exa%2Ample.com', ''],
      ['lookup/rrset/name/%2A.example.com', 'time_first_after=1767225610&time_first_before=1767225600'],
      ['lookup/rdata/ip/10.0.0.0,33', ''],
    ]) {
      const r = await dnsdb2(path!, params)
      assert.equal(r.status, 400, path)
      assert.equal(((await r.json()) as { code: string }).code, 'ERR_BAD_QUERY')
    }
  })
})
