/**
 * `newNames` over a real store of hand-built records: which names are new since T, in which order,
 * with which view, and how pages continue — including single sightings, a first sighting that moves
 * earlier, records replicated from the mesh, and filters by zone, type and vantage.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { PdnsError } from '../../node/errors.ts'
import { QueryEngine } from '../../node/query/engine.ts'
import type { NewNamesQuery } from '../../node/query/types.ts'
import type { RecordId, RecordKind } from '../../node/store/keys.ts'
import { Store } from '../../node/store/store.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { tempDir } from '../store/helpers.ts'

const T = 1_767_225_600
const H = 3600
const cleanups: (() => Promise<void> | void)[] = []
after(async () => {
  for (const c of cleanups.reverse()) await c()
})

interface Rec {
  name: string
  type?: number
  rdata?: string
  kind?: RecordKind
  origin?: string
  first: number
  last?: number
  count?: number
  mode?: 'add' | 'max'
}

async function storeOf(recs: Rec[]): Promise<{ store: Store; engine: QueryEngine }> {
  const { dir, cleanup } = tempDir('new-names')
  const store = await Store.open(dir, { create: true })
  cleanups.push(cleanup, () => store.close())
  apply(store, recs)
  return { store, engine: new QueryEngine(store) }
}

function apply(store: Store, recs: Rec[]): void {
  store.apply(
    recs.map((r) => {
      const kind = r.kind ?? 'rr'
      const id: RecordId = {
        kind,
        rrname: r.name,
        rrtype: r.type ?? 1,
        bailiwick: null,
        rdata: kind === 'rr' ? (r.rdata ?? '192.0.2.1') : '',
        origin: store.originId(r.origin ?? 'local'),
      }
      return {
        id,
        value: { first: r.first, last: r.last ?? r.first, count: r.count ?? 1 },
        mode: r.mode ?? 'add',
      }
    }),
  )
}

const names = (engine: QueryEngine, q: NewNamesQuery) => engine.newNames(q).names.map((n) => n.name)

describe('names first seen since T', () => {
  it('lists a name seen once, with that one sighting as its whole view', async () => {
    const { engine } = await storeOf([{ name: 'once.example', first: T + H }])
    assert.deepEqual(engine.newNames({ since: T }), {
      names: [
        {
          name: 'once.example',
          first: T + H,
          last: T + H,
          count: 1,
          records: 1,
          rrtypes: ['A'],
          vantages: [{ origin: 'local', first: T + H, last: T + H, count: 1 }],
        },
      ],
      cursor: null,
    })
  })

  it('lists newest first, includes a name first seen exactly at T, and leaves out older names', async () => {
    const { engine } = await storeOf([
      { name: 'a.example', first: T },
      { name: 'b.example', first: T + 2 * H },
      { name: 'c.example', first: T + H },
      { name: 'old.example', first: T - 1 },
    ])
    assert.deepEqual(names(engine, { since: T }), ['b.example', 'c.example', 'a.example'])
  })

  it('leaves out a name with a new record when another of its records is older than T', async () => {
    const { engine } = await storeOf([
      { name: 'moved.example', rdata: '192.0.2.1', first: T - 30 * 86_400, last: T - 86_400 },
      { name: 'moved.example', rdata: '198.51.100.9', first: T + H },
      { name: 'moved.example', type: 28, rdata: '2001:db8::1', first: T + 2 * H },
    ])
    assert.deepEqual(names(engine, { since: T }), [])
    // with --type AAAA the name's first AAAA answer is new
    assert.deepEqual(names(engine, { since: T, rrtype: 28 }), ['moved.example'])
  })

  it('drops a name once an older observation of it arrives (its first sighting moved earlier)', async () => {
    const { store, engine } = await storeOf([{ name: 'late.example', first: T + H }])
    assert.deepEqual(names(engine, { since: T }), ['late.example'])
    apply(store, [{ name: 'late.example', first: T - H, last: T - H }])
    assert.deepEqual(names(engine, { since: T }), [])
    assert.equal(engine.newNames({ since: T - H }).names[0]!.first, T - H)
  })

  it('merges mesh-replicated copies: a peer that saw the name earlier makes it old, except with --origin', async () => {
    const { engine } = await storeOf([
      { name: 'shared.example', first: T + H, count: 3 },
      {
        name: 'shared.example',
        origin: '12D3KooWpeer',
        first: T - H,
        last: T + 2 * H,
        count: 7,
        mode: 'max',
      },
      { name: 'peer-only.example', origin: '12D3KooWpeer', first: T + 3 * H, count: 2, mode: 'max' },
    ])
    assert.deepEqual(names(engine, { since: T }), ['peer-only.example'])
    assert.deepEqual(names(engine, { since: T, origin: 'local' }), ['shared.example'])
    const all = engine.newNames({ since: T - H }).names
    assert.deepEqual(
      all.map((n) => [n.name, n.first, n.count, n.vantages.map((v) => v.origin)]),
      [
        ['peer-only.example', T + 3 * H, 2, ['12D3KooWpeer']],
        ['shared.example', T - H, 10, ['12D3KooWpeer', 'local']],
      ],
    )
  })

  it('counts answers only: a name seen only as NXDOMAIN or NODATA is not listed', async () => {
    const { engine } = await storeOf([
      { name: 'nx.example', kind: 'nxdomain', first: T + H },
      { name: 'nodata.example', kind: 'nodata', type: 28, first: T + H },
      { name: 'nodata.example', first: T + 2 * H },
    ])
    assert.deepEqual(names(engine, { since: T }), ['nodata.example'])
  })

  it('keeps to --under (the zone and below, not its look-alike siblings) and --type', async () => {
    const { engine } = await storeOf([
      { name: 'example.com', type: 2, rdata: 'ns1.example.net', first: T + 1 },
      { name: 'www.example.com', first: T + 2 },
      { name: 'deep.www.example.com', type: 28, rdata: '2001:db8::2', first: T + 3 },
      { name: 'badexample.com', first: T + 4 },
      { name: 'example.org', first: T + 5 },
    ])
    assert.deepEqual(names(engine, { since: T, under: 'example.com' }), [
      'deep.www.example.com',
      'www.example.com',
      'example.com',
    ])
    assert.deepEqual(names(engine, { since: T, under: 'example.com', rrtype: 1 }), ['www.example.com'])
    assert.deepEqual(names(engine, { since: T, rrtype: 255 }).length, 5)
  })

  it('lists a name once although several records and vantages share its first second', async () => {
    const { engine } = await storeOf([
      { name: 'twin.example', rdata: '192.0.2.1', first: T + H },
      { name: 'twin.example', rdata: '192.0.2.2', first: T + H },
      { name: 'twin.example', type: 28, rdata: '2001:db8::3', first: T + H },
      { name: 'twin.example', origin: 'cof:east', first: T + H, mode: 'max' },
    ])
    const page = engine.newNames({ since: T })
    assert.deepEqual(
      page.names.map((n) => [n.name, n.records, n.rrtypes]),
      [['twin.example', 3, ['A', 'AAAA']]],
    )
  })

  it('pages by cursor through seeded random names: each new name once, newest first', async () => {
    const rand = prng(0x0e7)
    const recs: Rec[] = []
    for (let i = 0; i < 300; i++) {
      const first = T - 50 * H + randInt(rand, 100) * H
      recs.push({ name: `n${i}.z${randInt(rand, 5)}.example`, first, rdata: `10.0.${i >> 8}.${i & 255}` })
      if (rand() < 0.3)
        recs.push({
          name: `n${i}.z0.example`,
          first: first + randInt(rand, 5) * H,
          type: 28,
          rdata: '2001:db8::9',
        })
    }
    const { engine } = await storeOf(recs)
    const whole = engine.newNames({ since: T, limit: 1000 })
    assert.equal(whole.cursor, null)
    const paged: string[] = []
    let cursor: string | undefined
    for (let i = 0; i < 1000; i++) {
      const page = engine.newNames({ since: T, limit: 7, ...(cursor === undefined ? {} : { cursor }) })
      paged.push(...page.names.map((n) => n.name))
      if (page.cursor === null) break
      cursor = page.cursor
    }
    assert.deepEqual(
      paged,
      whole.names.map((n) => n.name),
    )
    assert.equal(new Set(paged).size, paged.length)
    const firsts = whole.names.map((n) => n.first)
    assert.deepEqual(
      firsts,
      [...firsts].sort((a, b) => b - a),
    )
    assert.ok(whole.names.every((n) => n.first >= T))
    assert.ok(whole.names.length > 50)
  })

  it('refuses a bad since, limit, origin or foreign cursor with ERR_BAD_QUERY', async () => {
    const { engine } = await storeOf([{ name: 'x.example', first: T }])
    const bad = (q: NewNamesQuery) =>
      assert.throws(
        () => engine.newNames(q),
        (e: unknown) => e instanceof PdnsError && e.code === 'ERR_BAD_QUERY',
      )
    bad({ since: -1 })
    bad({ since: 1.5 })
    bad({ since: T, limit: 0 })
    bad({ since: T, origin: 'cof:nobody' })
    bad({ since: T, cursor: '1.AAAAAAAAAAA.AA' })
  })
})
