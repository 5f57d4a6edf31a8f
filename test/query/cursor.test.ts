/**
 * Cursors are opaque but not signed: anyone who knows a query can compute its fingerprint and craft
 * one. A crafted cursor must be refused (ERR_BAD_QUERY) unless it points inside its own query's
 * range, so it can never widen what a query returns.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { PdnsError } from '../../node/errors.ts'
import { encodeCursor, fingerprint } from '../../node/query/cursor.ts'
import { QueryEngine } from '../../node/query/engine.ts'
import { parseNamePattern, parseRdataTarget } from '../../node/query/parse.ts'
import type { RdataQuery, RrsetQuery } from '../../node/query/types.ts'
import type { RecordId } from '../../node/store/keys.ts'
import { Store } from '../../node/store/store.ts'
import { tempDir } from '../store/helpers.ts'

const badQuery = (e: unknown) => e instanceof PdnsError && e.code === 'ERR_BAD_QUERY'

describe('paging cursors', () => {
  const tmp = tempDir('cursors')
  let store: Store
  let engine: QueryEngine
  before(async () => {
    store = await Store.open(tmp.dir, { create: true })
    const origin = store.originId('o')
    const rec = (rrname: string, rrtype: number, rdata: string): RecordId => ({
      kind: 'rr',
      rrname,
      rrtype,
      bailiwick: null,
      rdata,
      origin,
    })
    const ids = [
      rec('www.example.com', 1, '192.0.2.1'),
      rec('www.example.net', 1, '192.0.2.2'),
      rec('www.example.org', 1, '192.0.2.3'),
      rec('h0.www.example.org', 1, '198.51.100.1'),
      rec('mail.example.com', 1, '198.51.100.2'),
    ]
    store.apply(ids.map((id) => ({ id, value: { first: 1, last: 2, count: 1 }, mode: 'add' as const })))
    engine = new QueryEngine(store)
  })
  after(async () => {
    await store.close()
    tmp.cleanup()
  })

  it('walks a right wildcard page by page and returns only matching names', () => {
    const q: RrsetQuery = { name: parseNamePattern('www.example.*'), limit: 1 }
    const names: string[] = []
    let cursor: string | null = null
    do {
      const page = engine.rrset(cursor === null ? q : { ...q, cursor })
      names.push(...page.records.map((r) => r.rrname))
      cursor = page.cursor
    } while (cursor !== null)
    assert.deepEqual(names.sort(), ['www.example.com', 'www.example.net', 'www.example.org'])
  })

  it('refuses a right-wildcard cursor whose FWD position lies outside the pattern', () => {
    const q: RrsetQuery = { name: parseNamePattern('www.example.*'), limit: 1 }
    const fp = fingerprint(q)
    const first = engine.rrset(q)
    assert.ok(first.cursor !== null)
    const after = Buffer.from(first.cursor.split('.')[2]!, 'base64url')
    for (const fwd of [Buffer.of(0x12), Buffer.of(0x10), Buffer.of(0x13, 0xff)]) {
      assert.throws(() => engine.rrset({ ...q, cursor: encodeCursor(fp, { after, fwd }) }), badQuery)
    }
    assert.throws(() => engine.rrset({ ...q, cursor: encodeCursor(fp, { after }) }), badQuery)
  })

  it('refuses a cursor whose position lies outside the query range', () => {
    const q: RdataQuery = { target: parseRdataTarget('192.0.2.0/24'), limit: 1 }
    const fp = fingerprint(q)
    for (const after of [Buffer.of(0x10), Buffer.of(0x11, 0x04, 198, 51, 100, 1), Buffer.of(0xff)]) {
      assert.throws(() => engine.rdata({ ...q, cursor: encodeCursor(fp, { after }) }), badQuery)
    }
    // and one from another query is refused by its fingerprint
    const other = engine.rdata({ target: parseRdataTarget('198.51.100.0/24'), limit: 1 })
    assert.ok(other.cursor !== null)
    assert.throws(() => engine.rdata({ ...q, cursor: other.cursor! }), badQuery)
  })
})
