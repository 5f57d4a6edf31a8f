/**
 * Schema v2's write path: Store.apply keeps one FIRST entry per record at its first_seen (moved when
 * an older observation arrives, also from a peer's copy), and a TTL entry of the min/max TTL of the
 * node's own observations, which never changes the record value peers hash and never seals anything.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { Recorder } from '../../node/ingest/recorder.ts'
import { AggregationWindow } from '../../node/ingest/window.ts'
import {
  decodeFirstKey,
  FIRST_RANGE,
  type RecordId,
  rrsetKey,
  TTL_RANGE,
  ttlKey,
} from '../../node/store/keys.ts'
import { type FeedSealer, type RecordUpdate, Store } from '../../node/store/store.ts'
import { decodeTtl } from '../../node/store/ttl.ts'
import { checkIndexes, tempDir } from './helpers.ts'

const T0 = 1_767_225_600
const cleanups: (() => Promise<void> | void)[] = []
after(async () => {
  for (const c of cleanups.reverse()) await c()
})

async function fresh(name: string): Promise<Store> {
  const { dir, cleanup } = tempDir(name)
  const store = await Store.open(dir, { create: true })
  cleanups.push(cleanup, () => store.close())
  return store
}

const www = (origin: number): RecordId => ({
  kind: 'rr',
  rrname: 'www.example.com',
  rrtype: 1,
  bailiwick: null,
  rdata: '192.0.2.1',
  origin,
})

function firsts(store: Store): number[] {
  return [...store.range(FIRST_RANGE, { values: false })].map(([k]) => decodeFirstKey(k)!.firstSeen)
}

function ttlOf(store: Store, id: RecordId) {
  const raw = store.getMany([ttlKey(rrsetKey(id))])[0]
  return raw === undefined ? null : decodeTtl(raw)
}

describe('the FIRST index', () => {
  it('holds one entry at first_seen for a single sighting', async () => {
    const store = await fresh('first-single')
    const id = www(store.originId('local'))
    store.apply([{ id, value: { first: T0, last: T0, count: 1 }, mode: 'add' }])
    assert.deepEqual(firsts(store), [T0])
    checkIndexes(store)
  })

  it('moves to the earlier time when an older observation arrives, and stays when a later one does', async () => {
    const store = await fresh('first-moves')
    const id = www(store.originId('local'))
    store.apply([{ id, value: { first: T0, last: T0, count: 1 }, mode: 'add' }])
    store.apply([{ id, value: { first: T0 + 50, last: T0 + 50, count: 1 }, mode: 'add' }])
    assert.deepEqual(firsts(store), [T0])
    store.apply([{ id, value: { first: T0 - 3600, last: T0 - 3600, count: 1 }, mode: 'add' }])
    assert.deepEqual(firsts(store), [T0 - 3600], 'the old entry is deleted in the same batch')
    checkIndexes(store)
  })

  it("keeps a mesh-replicated record's entry per vantage, moved by a peer's larger copy ('max')", async () => {
    const store = await fresh('first-max')
    const local = www(store.originId('local'))
    const peer = www(store.originId('12D3KooWpeer'))
    store.apply([
      { id: local, value: { first: T0, last: T0 + 10, count: 2 }, mode: 'add' },
      { id: peer, value: { first: T0 + 100, last: T0 + 200, count: 5 }, mode: 'max' },
    ])
    assert.deepEqual(firsts(store).sort(), [T0, T0 + 100])
    // the peer's cumulative copy again, now reaching further back: replaces, never adds
    store.apply([{ id: peer, value: { first: T0 - 100, last: T0 + 300, count: 9 }, mode: 'max' }])
    store.apply([{ id: peer, value: { first: T0 - 100, last: T0 + 300, count: 9 }, mode: 'max' }])
    assert.deepEqual(firsts(store).sort(), [T0 - 100, T0])
    checkIndexes(store)
  })
})

describe('TTL entries', () => {
  it('keep the min and max TTL of local observations, merged across writes', async () => {
    const store = await fresh('ttl-merge')
    const id = www(store.originId('local'))
    const u = (ttl: number, t: number): RecordUpdate => ({
      id,
      value: { first: t, last: t, count: 1 },
      mode: 'add',
      ttl: { min: ttl, max: ttl },
    })
    store.apply([u(300, T0)])
    assert.deepEqual(ttlOf(store, id), { min: 300, max: 300 })
    store.apply([u(60, T0 + 1)])
    store.apply([u(3600, T0 + 2)])
    assert.deepEqual(ttlOf(store, id), { min: 60, max: 3600 })
    // a copy without TTL (a peer's, a COF file's) leaves it as it is
    store.apply([{ id, value: { first: T0, last: T0 + 9, count: 99 }, mode: 'max' }])
    assert.deepEqual(ttlOf(store, id), { min: 60, max: 3600 })
    assert.equal([...store.range(TTL_RANGE)].length, 1)
  })

  it('leave the record value as v1 wrote it, and a TTL-only change seals nothing', async () => {
    const store = await fresh('ttl-value')
    const id = www(store.originId('local'))
    const sealed: RecordId[] = []
    const sealer: FeedSealer = {
      owns: () => true,
      seal: (changed) => {
        for (const c of changed) sealed.push(c.id)
        return { writes: [], commit: () => {} }
      },
      deferUpdates: false,
    }
    store.setSealer(sealer)
    store.apply([{ id, value: { first: T0, last: T0, count: 3 }, mode: 'max', ttl: { min: 30, max: 30 } }])
    const value = store.getMany([rrsetKey(id)])[0]!
    assert.deepEqual([...value], [1, ...varint(T0), ...varint(T0), 3], 'u8 version · first · last · count')
    assert.equal(sealed.length, 1)
    // the same counter again with a new TTL: the TTL widens, the record is unchanged, nothing sealed
    const r = store.apply([
      { id, value: { first: T0, last: T0, count: 3 }, mode: 'max', ttl: { min: 5, max: 30 } },
    ])
    assert.deepEqual(r, { inserted: 0, updated: 1, unchanged: 0 })
    assert.equal(sealed.length, 1)
    assert.deepEqual(ttlOf(store, id), { min: 5, max: 30 })
    assert.ok(store.getMany([rrsetKey(id)])[0]!.equals(value))
  })

  it('come from observations through the recorder and the window (negatives: the SOA TTL)', async () => {
    const store = await fresh('ttl-recorder')
    const origin = store.originId('local')
    const window = new AggregationWindow({ apply: (u, o) => store.apply(u, o) }, { flushIntervalMs: 0 })
    const recorder = new Recorder({ window }, origin)
    const obs = (ttl: number | null, us: number) => ({
      kind: 'rr' as const,
      time: us,
      rrname: 'www.example.com',
      rrtype: 'A',
      rrclass: 'IN',
      rdata: '192.0.2.1',
      ttl,
      section: 'answer' as const,
      rcode: 'NOERROR',
      qname: 'www.example.com',
      qtype: 'A',
      bailiwick: null,
      transport: 'udp' as const,
      client: null,
    })
    recorder.observe(obs(120, T0 * 1e6))
    recorder.observe(obs(null, (T0 + 1) * 1e6))
    recorder.observe(obs(45, (T0 + 2) * 1e6))
    window.flush()
    recorder.observe(obs(900, (T0 + 3) * 1e6))
    window.flush()
    assert.deepEqual(ttlOf(store, www(origin)), { min: 45, max: 900 })
    checkIndexes(store)
  })
})

function varint(n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  out.push(n)
  return out
}
