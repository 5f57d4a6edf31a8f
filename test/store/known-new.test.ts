/**
 * The write path's shortcuts must change nothing in the database:
 *
 * - a store that held no record when it opened does not read the records it knows are new (its
 *   filter of what it wrote says "never seen");
 * - FWD and DOMAIN keys of a name the store remembers writing are not put again.
 *
 * Each test runs one seeded workload (repeats, updates in both merge modes, TTLs, negatives, other
 * spellings of one name, several origins, batches of all sizes, reopens) through a store that takes
 * the shortcuts and through one that cannot (it held a marker record when it opened, so it reads
 * every record), and compares the two databases key by key.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { fwdKey, type RecordId, rrsetKey } from '../../node/store/keys.ts'
import { type RecordUpdate, Store } from '../../node/store/store.ts'
import { encodeValue, type MergeMode } from '../../node/store/value.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { aRecord, checkIndexes, dump, pick, randomRec, spell, tempDir } from './helpers.ts'

const T0 = 1_700_000_000
const MARKER: RecordId = {
  kind: 'rr',
  rrname: 'marker.invalid',
  rrtype: 16,
  bailiwick: null,
  rdata: '"marker"',
  origin: 0xfffffff0,
}

const dirs: (() => void)[] = []
after(() => {
  for (const c of dirs) c()
})

async function open(prefix: string, withMarker: boolean): Promise<{ dir: string; store: Store }> {
  const { dir, cleanup } = tempDir(prefix)
  dirs.push(cleanup)
  let store = await Store.open(dir, { create: true })
  if (withMarker) {
    store.apply([{ id: MARKER, value: { first: T0, last: T0, count: 1 }, mode: 'add' }])
    await store.close()
    store = await Store.open(dir)
  }
  return { dir, store }
}

/** The dump of a store without the marker record's keys (RRSET, RDATA, FWD, SEEN, FIRST, DOMAIN). */
async function withoutMarker(store: Store): Promise<string[]> {
  const { store: ref } = await open('marker-only', true)
  // the record's keys: tags from 0x10 on (META and ORIGIN keys are every store's)
  const markerKeys = new Set(
    dump(ref)
      .map((line) => line.split(' ')[0]!)
      .filter((k) => k >= '10'),
  )
  await ref.close()
  return dump(store).filter((line) => !markerKeys.has(line.split(' ')[0]!))
}

/** Batches of updates: records drawn from a pool (so repeats and updates), combined per batch. */
function workload(seed: number, batches: number): RecordUpdate[][] {
  const rand = prng(seed)
  const pool = Array.from({ length: 400 }, () => randomRec(rand, { maxLabels: 3 }))
  // a few names with many records (the FWD/DOMAIN caches' case), some spelled another way
  const hot = Array.from({ length: 6 }, () => randomRec(rand, { maxLabels: 3 }))
  for (let i = 0; i < 300; i++) {
    const h = pick(rand, hot)
    const r = randomRec(rand, { maxLabels: 2 })
    pool.push({
      ...r,
      id: {
        ...r.id,
        rrname: rand() < 0.2 ? spell(rand, h.owner) : h.id.rrname,
        origin: pick(rand, [1, 2, 3]),
      },
    })
  }
  const out: RecordUpdate[][] = []
  for (let b = 0; b < batches; b++) {
    const size = pick(rand, [1, 5, 50, 300])
    const batch = new Map<string, RecordUpdate>()
    for (let k = 0; k < size; k++) {
      const rec = pick(rand, pool)
      const mode: MergeMode = rec.id.origin <= 3 ? 'add' : 'max'
      const first = T0 + randInt(rand, 10_000)
      const u: RecordUpdate = {
        id: rec.id,
        value: { first, last: first + randInt(rand, 5000), count: 1 + randInt(rand, 20) },
        mode,
      }
      if (mode === 'add' && rand() < 0.7) {
        const t = randInt(rand, 86400)
        u.ttl = { min: t, max: t + randInt(rand, 600) }
      }
      // apply() wants one update per record per call: the window combines them before
      const key = rrsetKey(rec.id).toString('hex')
      if (!batch.has(key)) batch.set(key, u)
    }
    out.push([...batch.values()])
  }
  return out
}

describe('known-new records and remembered index keys', () => {
  for (const seed of [1, 2, 3]) {
    it(`give the same database as reading every record (seed ${seed})`, async () => {
      const fast = await open('fast', false)
      const slow = await open('slow', true)
      const batches = workload(0x6b6e_0000 + seed, 120)
      let fastStore = fast.store
      for (let b = 0; b < batches.length; b++) {
        const r1 = fastStore.apply(batches[b]!)
        const r2 = slow.store.apply(batches[b]!)
        assert.deepEqual(r1, r2, `batch ${b}: inserted/updated/unchanged differ`)
        if (b === 80) {
          // after a reopen the store holds records: no shortcut for records any more
          await fastStore.close()
          fastStore = await Store.open(fast.dir)
        }
      }
      const a = dump(fastStore)
      const b = await withoutMarker(slow.store)
      // the first differences, not two dumps of thousands of lines
      const sa = new Set(a)
      const sb = new Set(b)
      assert.deepEqual(
        {
          onlyFast: a.filter((l) => !sb.has(l)).slice(0, 5),
          onlySlow: b.filter((l) => !sa.has(l)).slice(0, 5),
        },
        { onlyFast: [], onlySlow: [] },
      )
      assert.deepEqual(a, b)
      checkIndexes(fastStore)
      await fastStore.close()
      await slow.store.close()
    })
  }

  it('reads records again once anything but apply() put a record key', async () => {
    const { store } = await open('foreign-put', false)
    const id = aRecord('a.example')
    // a record put behind apply()'s back (here through `extra`): the filter never saw it
    store.apply([], { extra: [{ put: rrsetKey(id), value: encodeValue({ first: T0, last: T0, count: 5 }) }] })
    const r = store.apply([{ id, value: { first: T0 + 1, last: T0 + 1, count: 2 }, mode: 'add' }])
    assert.deepEqual(r, { inserted: 0, updated: 1, unchanged: 0 }, 'the stored record was read')
    await store.close()
  })

  it('puts a FWD key again after one was deleted', async () => {
    const { store } = await open('fwd-deleted', false)
    const a = aRecord('b.example')
    store.apply([{ id: a, value: { first: T0, last: T0, count: 1 }, mode: 'add' }])
    store.apply([], { extra: [{ del: fwdKey('b.example', 1) }] })
    store.apply([{ id: { ...a, rdata: '192.0.2.2' }, value: { first: T0, last: T0, count: 1 }, mode: 'add' }])
    assert.ok(store.getMany([fwdKey('b.example', 1)])[0] !== undefined, 'the FWD key is back')
    await store.close()
  })

  it('forgets what a failed batch would have written', async () => {
    const { store } = await open('failed-batch', false)
    const id = aRecord('c.example')
    // a batch that fails after its keys were built: an unknown value version in `extra` is fine
    // for the batch, so fail it with a sealer that throws
    store.setSealer({
      owns: () => true,
      deferUpdates: false,
      seal: () => {
        throw new Error('sealer down')
      },
    })
    assert.throws(
      () => store.apply([{ id, value: { first: T0, last: T0, count: 1 }, mode: 'add' }]),
      /sealer down/,
    )
    store.setSealer(null)
    store.apply([
      { id: { ...id, rdata: '192.0.2.9' }, value: { first: T0, last: T0, count: 1 }, mode: 'add' },
    ])
    assert.ok(store.getMany([fwdKey('c.example', 1)])[0] !== undefined, 'the FWD key was written')
    checkIndexes(store)
    await store.close()
  })
})
