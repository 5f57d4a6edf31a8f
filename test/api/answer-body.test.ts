/**
 * The HTTP API's answer plumbing without a server: pagedRecords applies offset and limit over
 * pages of any size exactly as over single records, and a SAF body is one buffer when short, a
 * stream (with the same bytes) when long, and a stream stopped early still ends its query.
 */
import assert from 'node:assert/strict'
import type { Readable } from 'node:stream'
import { test } from 'node:test'
import { ANSWER_CHUNK_CHARS } from '../../node/api/http/limits.ts'
import { type PagedEnd, pagedRecords } from '../../node/api/http/paged.ts'
import { dnsdbObject, safBody, safObjects } from '../../node/api/http/saf.ts'
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

function expected(records: ResultRecord[]): string {
  const lines = records.map((r) => `${JSON.stringify({ obj: dnsdbObject(r, false) })}\n`)
  return `{"cond":"begin"}\n${lines.join('')}{"cond":"succeeded"}\n`
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
  const short = await safBody(safObjects(onePage(few), false), String, onEnd)
  assert.ok(Buffer.isBuffer(short))
  assert.equal(short.toString(), expected(few))
  // long enough for several chunks
  const many = Array.from({ length: Math.ceil((3 * ANSWER_CHUNK_CHARS) / 150) }, (_, i) => record(i, 60))
  const long = await safBody(safObjects(onePage(many), false), String, onEnd)
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
    safObjects(failing(), false),
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
  const body = (await safBody(safObjects(endless(), false), String, (end) => ends.push(end))) as Readable
  for await (const _ of body) break
  await new Promise((r) => setImmediate(r))
  assert.ok(returned, "the query's generator was returned")
  assert.deepEqual(ends, ['client-gone'])
})
