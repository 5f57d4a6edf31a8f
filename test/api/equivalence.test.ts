/**
 * A node's answers over the control socket are the answers of its LocalBackend: a real ControlServer
 * over a real RocksDB store, a RemoteBackend on the real unix socket, compared call by call —
 * pages (records and cursors), summaries, stats, export order, and errors.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { RemoteBackend } from '../../node/api/index.ts'
import { PdnsError } from '../../node/errors.ts'
import { parseNamePattern, parseRawHex, parseRdataTarget, parseType } from '../../node/query/parse.ts'
import type {
  NewNamesPage,
  NewNamesQuery,
  Page,
  QueryBackend,
  RdataQuery,
  RrsetQuery,
} from '../../node/query/types.ts'
import { collect, importLarge, startTestNode, type TestNode, tempDir } from './helpers.ts'

let cleanup: () => Promise<void>
let node: TestNode
let remote: RemoteBackend

before(async () => {
  const t = await tempDir('eq')
  cleanup = t.cleanup
  // the sample (this node's own origin) and 3000 records of two other sensors
  node = await startTestNode(await importLarge(t.dir, 3000))
  remote = new RemoteBackend(node.socketPath)
})

after(async () => {
  await remote.close()
  await node.close()
  await cleanup()
})

/** Every page of a query, following cursors, from one backend. */
async function allPages<Q extends { cursor?: string }>(ask: (q: Q) => Promise<Page>, q: Q): Promise<Page[]> {
  const pages: Page[] = []
  let cursor: string | null | undefined
  do {
    const page = await ask(cursor === undefined || cursor === null ? q : { ...q, cursor })
    pages.push(page)
    cursor = page.cursor
  } while (cursor !== null && pages.length < 1000)
  return pages
}

const rrset = (b: QueryBackend) => (q: RrsetQuery) => b.rrset(q)
const rdata = (b: QueryBackend) => (q: RdataQuery) => b.rdata(q)

const RRSET_QUERIES: RrsetQuery[] = [
  { name: parseNamePattern('www.example.com') },
  { name: parseNamePattern('WEB.example.NET.') },
  { name: parseNamePattern('*.example.com') },
  { name: parseNamePattern('+.example.com') },
  { name: parseNamePattern('www.example.*') },
  { name: parseNamePattern('*.example.org'), limit: 97 },
  { name: parseNamePattern('*.zone7.example.org'), rrtype: parseType('A'), limit: 5 },
  { name: parseNamePattern('*.example.org'), origin: 'cof:east', limit: 250 },
  {
    name: parseNamePattern('*.example.org'),
    fence: { firstAfter: 1_767_225_600 + 86_400 * 10, lastBefore: 1_767_225_600 + 86_400 * 20 },
    limit: 111,
  },
  { name: parseNamePattern('*.example.com'), kinds: ['nxdomain', 'nodata'] },
  { name: parseNamePattern('*.example.com'), bailiwick: 'example.com', rrtype: 255 },
  { name: parseNamePattern('nothing.example'), limit: 1 },
]

test('rrset: every page of every query, cursors included, is what the local backend answers', async () => {
  let records = 0
  for (const q of RRSET_QUERIES) {
    const want = await allPages(rrset(node.local), q)
    const got = await allPages(rrset(remote), q)
    assert.deepEqual(got, want, JSON.stringify(q))
    records += want.reduce((n, p) => n + p.records.length, 0)
  }
  assert.ok(records > 3000, `the queries covered ${records} records`)
})

const RDATA_QUERIES: RdataQuery[] = [
  { target: parseRdataTarget('203.0.113.10') },
  { target: parseRdataTarget('203.0.113.0/24') },
  { target: parseRdataTarget('10.0.0.0/8'), limit: 400 },
  { target: parseRdataTarget('10.20.0.0-10.90.255.255'), rrtype: parseType('A'), limit: 333 },
  { target: parseRdataTarget('10.0.0.0,9'), origin: 'cof:west', limit: 500 },
  { target: parseRdataTarget('2001:db8::/32') },
  { target: parseRdataTarget('web.example.net') },
  { target: parseRdataTarget('*.example.com') },
  { target: parseRdataTarget('.') },
  { target: parseRawHex('cb00710a') },
  { target: parseRawHex('03 6e 73 31 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00') },
  { target: parseRawHex('0102030405') },
]

test('rdata: addresses, prefixes, ranges, names and raw bytes page exactly as locally', async () => {
  let records = 0
  for (const q of RDATA_QUERIES) {
    const want = await allPages(rdata(node.local), q)
    const got = await allPages(rdata(remote), q)
    assert.deepEqual(
      got,
      want,
      JSON.stringify(q, (_k, v) => (v instanceof Uint8Array ? [...v] : v)),
    )
    records += want.reduce((n, p) => n + p.records.length, 0)
  }
  assert.ok(records > 3000, `the queries covered ${records} records`)
})

test('a cursor from the node continues the same query run locally, and the reverse', async () => {
  const q: RrsetQuery = { name: parseNamePattern('*.example.org'), limit: 100 }
  const first = await remote.rrset(q)
  assert.notEqual(first.cursor, null)
  assert.deepEqual(
    await node.local.rrset({ ...q, cursor: first.cursor! }),
    await remote.rrset({ ...q, cursor: first.cursor! }),
  )
  const r: RdataQuery = { target: parseRdataTarget('10.0.0.0/8'), limit: 50 }
  const localFirst = await node.local.rdata(r)
  assert.deepEqual(
    await remote.rdata({ ...r, cursor: localFirst.cursor! }),
    await node.local.rdata({ ...r, cursor: localFirst.cursor! }),
  )
})

test('summaries, with and without an origin, and of a name never seen, are the local ones', async () => {
  for (const [name, origin] of [
    ['example.com', undefined],
    ['web.example.net', undefined],
    ['example.com', node.status.peerId],
    ['zone3.example.org', 'cof:west'],
    ['never.example', undefined],
  ] as const) {
    const opts = origin === undefined ? {} : { origin }
    const want = await node.local.summary(name, opts).catch((e: PdnsError) => e.code)
    assert.deepEqual(
      await remote.summary(name, opts).catch((e: PdnsError) => e.code),
      want,
      `${name} ${origin}`,
    )
  }
  assert.equal(await remote.summary('never.example'), null)
  assert.ok((await remote.summary('example.com')) !== null)
})

test('stats are the local ones', async () => {
  const s = await remote.stats()
  assert.deepEqual(s, await node.local.stats())
  assert.equal(s.origins.length, 3)
})

test('registered domains page over the socket exactly as locally, cursors included', async () => {
  for (const limit of [undefined, 1, 7]) {
    const pages = async (b: QueryBackend) => {
      const out: unknown[] = []
      let after: string | undefined
      for (let i = 0; i < 1000; i++) {
        const p = await b.domains({
          ...(limit === undefined ? {} : { limit }),
          ...(after === undefined ? {} : { after }),
        })
        out.push(p)
        if (p.cursor === null) break
        after = p.cursor
      }
      return out
    }
    assert.deepEqual(await pages(remote), await pages(node.local))
  }
  await assert.rejects(remote.domains({ limit: 0 }), { code: 'ERR_BAD_QUERY' })
})

test('export streams every record in the local key order', async () => {
  const want = await collect(node.local.export())
  const got = await collect(remote.export())
  assert.ok(want.length > 3000)
  assert.deepEqual(got, want)
})

test('ping and status answer with what the node reports', async () => {
  assert.deepEqual(await remote.ping(), {
    service: 'pdns-mesh',
    api: 1,
    version: node.status.version,
    pid: node.status.pid,
    peerId: node.status.peerId,
  })
  assert.deepEqual(await remote.status(), node.status)
})

test('a query the engine refuses fails remotely with the local code and message', async () => {
  const cases: [string, (b: QueryBackend) => Promise<unknown>][] = [
    ['unknown origin', (b) => b.rrset({ name: parseNamePattern('example.com'), origin: 'cof:nobody' })],
    ['foreign cursor', (b) => b.rrset({ name: parseNamePattern('example.com'), cursor: '1.AAAAAAAAAAA.AA' })],
    ['garbage cursor', (b) => b.rdata({ target: parseRdataTarget('10.0.0.1'), cursor: 'nope' })],
    ['summary origin', (b) => b.summary('example.com', { origin: 'cof:nobody' })],
  ]
  for (const [what, call] of cases) {
    const local = await call(node.local).then(
      () => assert.fail(`${what}: local accepted it`),
      (e: PdnsError) => e,
    )
    const got = await call(remote).then(
      () => assert.fail(`${what}: the node accepted it`),
      (e: PdnsError) => e,
    )
    assert.ok(got instanceof PdnsError, what)
    assert.deepEqual([got.code, got.message], [local.code, local.message], what)
    assert.equal(got.code, 'ERR_BAD_QUERY')
  }
})

test('the node re-validates what a client sends: a query no parser would build is ERR_BAD_QUERY', async () => {
  const bad: unknown[] = [
    { name: { kind: 'exact', name: 'a..b' } },
    { name: { kind: 'below', name: '.' } },
    { name: { kind: 'sideways', name: 'example.com' } },
    { name: { kind: 'exact', name: 'example.com', extra: 1 } },
    { name: { kind: 'exact', name: 'example.com' }, limit: 0 },
    { name: { kind: 'exact', name: 'example.com' }, limit: 10_000_000 },
    { name: { kind: 'exact', name: 'example.com' }, limit: '10' },
    { name: { kind: 'exact', name: 'example.com' }, rrtype: 65536 },
    { name: { kind: 'exact', name: 'example.com' }, fence: { firstAfter: 'yesterday' } },
    { name: { kind: 'exact', name: 'example.com' }, fence: { sometime: 1 } },
    { name: { kind: 'exact', name: 'example.com' }, fence: { firstAfter: 20, firstBefore: 10 } },
    { name: { kind: 'exact', name: 'example.com' }, fence: { firstAfter: 20, lastBefore: 10 } },
    { name: { kind: 'exact', name: 'example.com' }, kinds: ['rr', 'rr'] },
    { name: { kind: 'exact', name: 'example.com' }, bailiwick: '*.com' },
    { name: { kind: 'exact', name: 'example.com' }, sql: 'drop' },
    {},
  ]
  for (const q of bad) {
    await assert.rejects(remote.rrset(q as RrsetQuery), { code: 'ERR_BAD_QUERY' }, JSON.stringify(q))
  }
  const badTargets: unknown[] = [
    { kind: 'address', lo: new Uint8Array(4), hi: new Uint8Array(16) },
    { kind: 'address', lo: Uint8Array.of(10, 0, 0, 2), hi: Uint8Array.of(10, 0, 0, 1) },
    { kind: 'address', lo: new Uint8Array(5), hi: new Uint8Array(5) },
    { kind: 'name', name: '.', below: true },
    { kind: 'name', name: 'example.com', below: 'yes' },
    { kind: 'raw', bytes: new Uint8Array(0) },
  ]
  for (const target of badTargets) {
    await assert.rejects(
      remote.rdata({ target } as RdataQuery),
      { code: 'ERR_BAD_QUERY' },
      JSON.stringify(target),
    )
  }
  // and it still answers
  assert.equal((await remote.rrset({ name: parseNamePattern('www.example.com') })).records.length, 1)
})

test('new: names first seen since T page over the socket exactly as locally, cursors included', async () => {
  const queries: NewNamesQuery[] = [
    { since: 0 },
    { since: 0, limit: 37 },
    { since: 1_767_225_600 + 86_400 * 10, limit: 100 },
    { since: 0, under: 'example.org', rrtype: parseType('A'), limit: 250 },
    { since: 0, origin: 'cof:east', limit: 500 },
  ]
  let names = 0
  for (const q of queries) {
    const pages = async (b: QueryBackend) => {
      const out: NewNamesPage[] = []
      let cursor: string | null = null
      do {
        const p: NewNamesPage = await b.newNames(cursor === null ? q : { ...q, cursor })
        out.push(p)
        cursor = p.cursor
      } while (cursor !== null && out.length < 1000)
      return out
    }
    const want = await pages(node.local)
    assert.deepEqual(await pages(remote), want, JSON.stringify(q))
    names += want.reduce((n, p) => n + p.names.length, 0)
  }
  assert.ok(names > 1000, `the queries covered ${names} names`)
  await assert.rejects(
    remote.newNames({ since: 0, origin: 'cof:nobody' }),
    (e: PdnsError) => e.code === 'ERR_BAD_QUERY',
  )
})
