/**
 * The HTTP API's answer plumbing without a server: pagedRecords applies offset and limit over
 * pages of any size exactly as over single records, and a SAF body is one buffer when short, a
 * stream (with the same bytes) when long, and a stream stopped early still ends its query.
 */
import assert from 'node:assert/strict'
import type { Readable } from 'node:stream'
import { test } from 'node:test'
import { cofBody } from '../../node/api/http/cof.ts'
import { ANSWER_CHUNK_CHARS } from '../../node/api/http/limits.ts'
import { type PagedEnd, pagedRecords, type RecordPages } from '../../node/api/http/paged.ts'
import { safBody, safLine, safRecords } from '../../node/api/http/saf.ts'
import { recordToCof } from '../../node/query/format/cof.ts'
import { isoTime } from '../../node/query/format/json.ts'
import type { Page, ResultRecord } from '../../node/query/types.ts'

function record(i: number, nameChars = 10): ResultRecord {
  return {
    kind: 'rr',
    rrname: `${String(i).padStart(nameChars, 'n')}.example.`,
    rrtype: 'A',
    rdata: `192.0.2.${i % 250}`,
    bailiwick: 'example.',
    first: 1_700_000_000 + i,
    last: 1_700_000_100 + i,
    count: i + 1,
    vantages: [],
  }
}

/** An engine over `all` that answers at most `pageMax` records a page (fewer than asked is allowed). */
function fetcher(all: ResultRecord[], pageMax: number) {
  return async (limit: number, cursor: string | undefined): Promise<Page> => {
    const from = cursor === undefined ? 0 : Number(cursor)
    const to = Math.min(all.length, from + Math.min(limit, pageMax))
    return { records: all.slice(from, to), cursor: to < all.length ? String(to) : null }
  }
}

async function drain(
  pages: AsyncGenerator<readonly ResultRecord[], PagedEnd>,
): Promise<{ records: ResultRecord[]; end: PagedEnd }> {
  const records: ResultRecord[] = []
  for (;;) {
    const step = await pages.next()
    if (step.done === true) return { records, end: step.value }
    assert.ok(step.value.length > 0, 'no empty page')
    records.push(...step.value)
  }
}

test('pagedRecords: offset and limit over pages of any size, limit only when a record lies beyond', async () => {
  for (const total of [0, 1, 7, 20]) {
    const all = Array.from({ length: total }, (_, i) => record(i))
    for (const pageMax of [1, 3, 7, 1000]) {
      for (const offset of [0, 2, 7, 25]) {
        for (const limit of [1, 5, 13, 20, 100]) {
          const got = await drain(pagedRecords(fetcher(all, pageMax), { limit, offset }))
          const want = all.slice(offset, offset + limit)
          const what = `total ${total}, page ${pageMax}, offset ${offset}, limit ${limit}`
          assert.deepEqual(got.records, want, what)
          assert.equal(got.end, total - offset > limit ? 'limit' : 'complete', what)
        }
      }
    }
  }
})

async function* onePage(records: ResultRecord[]): AsyncGenerator<readonly ResultRecord[], PagedEnd> {
  if (records.length > 0) yield records
  return 'complete'
}

/** DNSDB's obj as an object, the way a reader of its documentation writes it (the encoder writes text). */
function dnsdbObject(r: ResultRecord, humantime: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = {
    count: r.count,
    time_first: humantime ? isoTime(r.first) : r.first,
    time_last: humantime ? isoTime(r.last) : r.last,
    rrname: r.rrname,
    rrtype: r.rrtype,
  }
  if (r.bailiwick !== null) o.bailiwick = r.bailiwick
  o.rdata = [r.rdata]
  if (r.vantages.length === 1) o.sensor_id = r.vantages[0]!.origin
  else if (r.vantages.length > 1) o.vantages = r.vantages.map((v) => v.origin)
  return o
}

function expected(records: ResultRecord[], humantime = false): string {
  const lines = records.map((r) => `${JSON.stringify({ obj: dnsdbObject(r, humantime) })}\n`)
  return `{"cond":"begin"}\n${lines.join('')}{"cond":"succeeded"}\n`
}

/** Pages of records as pages of SAF lines, as summarize hands safBody its lines; stopping it stops the pages. */
async function* linesOf(pages: RecordPages, humantime: boolean): AsyncGenerator<readonly string[], PagedEnd> {
  try {
    for (;;) {
      const step = await pages.next()
      if (step.done === true) return step.value
      yield step.value.map((r) => safLine(r, humantime))
    }
  } finally {
    await pages.return('complete')
  }
}

async function text(body: Readable): Promise<string> {
  let s = ''
  for await (const chunk of body) s += String(chunk)
  return s
}

test('safBody: a short answer is one buffer, a long one a stream of the same bytes', async () => {
  const ends: [string, number][] = []
  const onEnd = (end: string, n: number) => ends.push([end, n])
  const few = Array.from({ length: 10 }, (_, i) => record(i))
  const short = await safBody(linesOf(onePage(few), false), String, onEnd)
  assert.ok(Buffer.isBuffer(short))
  assert.equal(short.toString(), expected(few))
  // long enough for several chunks
  const many = Array.from({ length: Math.ceil((3 * ANSWER_CHUNK_CHARS) / 150) }, (_, i) => record(i, 60))
  const long = await safBody(linesOf(onePage(many), false), String, onEnd)
  assert.ok(!Buffer.isBuffer(long))
  assert.equal(await text(long as Readable), expected(many))
  assert.deepEqual(ends, [
    ['complete', 10],
    ['complete', many.length],
  ])
})

test('safBody: an error after the head is the failed condition; a stream stopped early ends its query', async () => {
  async function* failing(): AsyncGenerator<readonly ResultRecord[], PagedEnd> {
    yield [record(1)]
    throw new Error('the store went away')
  }
  const failed = await safBody(
    linesOf(failing(), false),
    (e) => (e as Error).message,
    () => {},
  )
  assert.equal(
    failed.toString(),
    `{"cond":"begin"}\n${JSON.stringify({ obj: dnsdbObject(record(1), false) })}\n{"cond":"failed","msg":"the store went away"}\n`,
  )

  let returned = false
  async function* endless(): AsyncGenerator<readonly ResultRecord[], PagedEnd> {
    try {
      for (let i = 0; ; i++) yield Array.from({ length: 100 }, (_, j) => record(i * 100 + j, 60))
    } finally {
      returned = true
    }
  }
  const ends: string[] = []
  const body = (await safBody(linesOf(endless(), false), String, (end) => ends.push(end))) as Readable
  for await (const _ of body) break
  await new Promise((r) => setImmediate(r))
  assert.ok(returned, "the query's generator was returned")
  assert.deepEqual(ends, ['client-gone'])
})

test('safLine: the bytes JSON.stringify gives the obj, for every field shape (escapes, bailiwick, vantages, humantime)', async () => {
  const odd: ResultRecord[] = [
    record(1),
    { ...record(2), bailiwick: null, rdata: 'v=spf1 "quoted" \\ back\u0001slash', rrtype: 'TXT' },
    {
      ...record(3),
      rrname: 'ünïcode.\u2028.example.',
      vantages: [{ origin: 'a', first: 1, last: 2, count: 1 }],
    },
    {
      ...record(4),
      vantages: [
        { origin: '12D3KooWA', first: 1, last: 2, count: 1 },
        { origin: 'cof:"x"', first: 1, last: 2, count: 1 },
      ],
    },
  ]
  for (const humantime of [false, true]) {
    const got = await safRecords({ done: false, value: odd }, onePage([]), humantime, String, () => {})
    assert.equal(got.toString(), expected(odd, humantime))
  }
})

test('safRecords: short answers are one buffer of several pages, long ones a stream of the same bytes, errors the failed condition', async () => {
  const ends: [string, number][] = []
  const onEnd = (end: string, n: number) => ends.push([end, n])
  const all = Array.from({ length: 25 }, (_, i) => record(i))
  for (const pageMax of [1, 7, 1000]) {
    const pages = pagedRecords(fetcher(all, pageMax), { limit: 1000 })
    const first = await pages.next()
    const body = await safRecords(first, pages, false, String, onEnd)
    assert.ok(Buffer.isBuffer(body))
    assert.equal(body.toString(), expected(all))
  }
  const many = Array.from({ length: Math.ceil((3 * ANSWER_CHUNK_CHARS) / 150) }, (_, i) => record(i, 60))
  const pages = pagedRecords(fetcher(many, 100), { limit: 100_000 })
  const long = await safRecords(await pages.next(), pages, false, String, onEnd)
  assert.ok(!Buffer.isBuffer(long))
  assert.equal(await text(long as Readable), expected(many))
  // limited: the limited condition, with the records up to the limit
  const limited = pagedRecords(fetcher(all, 7), { limit: 10 })
  const lim = await safRecords(await limited.next(), limited, false, String, onEnd)
  assert.match(lim.toString(), /\{"cond":"limited","msg":"Result limit reached"\}\n$/)
  assert.equal(
    lim
      .toString()
      .split('\n')
      .filter((l) => l.startsWith('{"obj"')).length,
    10,
  )
  async function* failing(): AsyncGenerator<readonly ResultRecord[], PagedEnd> {
    yield [record(1)]
    throw new Error('the store went away')
  }
  const f = failing()
  const failed = await safRecords(await f.next(), f, false, (e) => (e as Error).message, onEnd)
  assert.equal(
    failed.toString(),
    `{"cond":"begin"}\n${JSON.stringify({ obj: dnsdbObject(record(1), false) })}\n{"cond":"failed","msg":"the store went away"}\n`,
  )
  assert.deepEqual(ends, [
    ['complete', 25],
    ['complete', 25],
    ['complete', 25],
    ['complete', many.length],
    ['limit', 10],
    ['failed', 1],
  ])
})

test('cofBody: COF lines from the first page and the rest, one buffer when short, a stream of the same bytes when long', async () => {
  const cof = (rs: ResultRecord[]) =>
    rs.map((r) => `${recordToCof(r, { numericGenericTypes: true })}\n`).join('')
  const ends: [string, number][] = []
  const onEnd = (end: string, n: number) => ends.push([end, n])
  const all = Array.from({ length: 25 }, (_, i) => ({ ...record(i), rrtype: i % 2 === 0 ? 'A' : 'TYPE65' }))
  const pages = pagedRecords(fetcher(all, 7), { limit: 1000 })
  const short = await cofBody(await pages.next(), pages, onEnd)
  assert.ok(Buffer.isBuffer(short))
  assert.equal(short.toString(), cof(all))
  assert.match(short.toString(), /"rrtype":65,/)
  // a dribble page: the whole answer given at once
  const page = await cofBody({ done: false, value: all.slice(0, 3) }, null, onEnd)
  assert.equal(page.toString(), cof(all.slice(0, 3)))
  const many = Array.from({ length: Math.ceil((3 * ANSWER_CHUNK_CHARS) / 150) }, (_, i) => record(i, 60))
  const more = pagedRecords(fetcher(many, 100), { limit: 100_000 })
  const long = await cofBody(await more.next(), more, onEnd)
  assert.ok(!Buffer.isBuffer(long))
  assert.equal(await text(long as Readable), cof(many))
  assert.deepEqual(ends, [
    ['complete', 25],
    ['complete', 3],
    ['complete', many.length],
  ])
})
