/**
 * The store-writer thread of an import: batches handed over as flat buffers must give the database
 * that apply() in this thread gives, key by key; the writer's errors must reach this thread as the
 * store's own; a full backlog makes apply() wait, and nothing is lost.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { readPeerId } from '../../node/identity/peer-id.ts'
import { StoreWriter } from '../../node/ingest/store-writer.ts'
import { decodeUpdates, encodeUpdates } from '../../node/ingest/update-codec.ts'
import { AggregationWindow } from '../../node/ingest/window.ts'
import { Feeds } from '../../node/mesh/feeds.ts'
import { type ApplyResult, type RecordUpdate, Store } from '../../node/store/store.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { checkIndexes, dump, pick, randomRec, tempDir } from '../store/helpers.ts'

const T0 = 1_700_000_000
const cleanups: (() => void)[] = []
after(() => {
  for (const c of cleanups) c()
})

async function fresh(prefix: string): Promise<{ dir: string; store: Store }> {
  const { dir, cleanup } = tempDir(prefix)
  cleanups.push(cleanup)
  return { dir, store: await Store.open(dir, { create: true }) }
}

/** Seeded batches: records of a pool (so repeats and updates), TTLs, both modes, odd text. */
function batches(seed: number, n: number): RecordUpdate[][] {
  const rand = prng(seed)
  const pool = Array.from({ length: 500 }, () => randomRec(rand, { maxLabels: 3 }))
  const out: RecordUpdate[][] = []
  for (let b = 0; b < n; b++) {
    const seen = new Set<number>()
    const batch: RecordUpdate[] = []
    for (let k = pick(rand, [1, 20, 200]); k > 0; k--) {
      const i = randInt(rand, pool.length)
      if (seen.has(i)) continue
      seen.add(i)
      const id = { ...pool[i]!.id }
      if (rand() < 0.05) id.rdata = `"ünïcödé ☃ ${randInt(rand, 9)}"`
      const mode = id.origin % 2 === 0 ? 'max' : 'add'
      const first = T0 + randInt(rand, 5000)
      const u: RecordUpdate = {
        id,
        value: { first, last: first + randInt(rand, 5000), count: 1 + randInt(rand, 2 ** 40) },
        mode,
      }
      if (rand() < 0.5) u.ttl = { min: randInt(rand, 100), max: 100 + randInt(rand, 2 ** 32 - 101) }
      batch.push(u)
    }
    out.push(batch)
  }
  return out
}

describe('update codec', () => {
  it('gives back exactly the updates it was given', () => {
    for (const b of batches(7, 30)) assert.deepEqual(decodeUpdates(encodeUpdates(b)), b)
    assert.deepEqual(decodeUpdates(encodeUpdates([])), [])
  })
})

describe('store writer', () => {
  it('writes the database apply() writes, key by key, and the same totals', async () => {
    const direct = await fresh('direct')
    const threaded = await fresh('threaded')
    const writer = StoreWriter.start(threaded.store, {
      dataDir: threaded.dir,
      seal: false,
      maxPendingRecords: 300,
    })
    const want: ApplyResult = { inserted: 0, updated: 0, unchanged: 0 }
    for (const b of batches(11, 150)) {
      const r = direct.store.apply(b, { sync: false })
      want.inserted += r.inserted
      want.updated += r.updated
      want.unchanged += r.unchanged
      assert.deepEqual(writer.apply(b, { sync: false }), { inserted: 0, updated: 0, unchanged: 0 })
    }
    assert.deepEqual(writer.drain(), want)
    await writer.close()
    assert.deepEqual(dump(threaded.store), dump(direct.store))
    checkIndexes(threaded.store)
    await direct.store.close()
    await threaded.store.close()
  })

  it('is a window component: stop() waits for the writer and counts what it wrote', async () => {
    const { dir, store } = await fresh('window')
    const writer = StoreWriter.start(store, { dataDir: dir, seal: false })
    const window = new AggregationWindow(writer, { flushIntervalMs: 0, batchSize: 7 })
    for (let i = 0; i < 100; i++) {
      const id = {
        kind: 'rr' as const,
        rrname: `h${i}.example`,
        rrtype: 1,
        bailiwick: null,
        rdata: '192.0.2.1',
        origin: 1,
      }
      window.add(id, T0, T0, 1, 'add')
      window.add(id, T0 + 1, T0 + 1, 1, 'add')
    }
    window.stop()
    assert.equal(window.stats().inserted, 100)
    assert.equal(window.stats().pending, 0)
    await writer.close()
    assert.equal(checkIndexes(store).rrsets, 100)
    await store.close()
  })

  it("reports the store's errors in this thread, and takes nothing after one", async () => {
    const { dir, store } = await fresh('error')
    const writer = StoreWriter.start(store, { dataDir: dir, seal: false })
    const good = batches(3, 1)[0]!
    writer.apply(good, {})
    // first after last: the store refuses it (in the writer thread)
    const bad = { ...good[0]!, value: { first: T0 + 10, last: T0, count: 1 } }
    writer.apply([bad], {})
    assert.throws(
      () => writer.drain(),
      (e: unknown) => (e as { code?: string }).code === 'ERR_BAD_RECORD',
    )
    assert.throws(
      () => writer.apply(good, {}),
      (e: unknown) => (e as { code?: string }).code === 'ERR_BAD_RECORD',
    )
    await writer.close()
    assert.equal(checkIndexes(store).rrsets, good.length, 'the batch before the error is written')
    await store.close()
  })

  it('starts before the store is open, and seals with the identity it finds at attach', async () => {
    const writer = StoreWriter.prepare({ seal: true })
    // the import's order: the thread loads while the store is opened and the identity created
    const { dir, store } = await fresh('prepared')
    const peerId = (await readPeerId(dir, { create: true }))!
    assert.throws(() => writer.apply(batches(1, 1)[0]!, {}), /before attach/)
    writer.attach(store, dir)
    const origin = store.originId(peerId)
    const updates = batches(2, 3).map((b) =>
      b.map((u) => ({ ...u, id: { ...u.id, origin }, mode: 'add' as const })),
    )
    for (const b of updates) writer.apply(b, { sync: true })
    assert.equal(writer.drain().inserted, updates.flat().length)
    await writer.close()
    assert.equal(checkIndexes(store).rrsets, updates.flat().length)
    const feeds = new Feeds({ store })
    const head = feeds.head(peerId)
    assert.ok(head !== undefined && head.seq >= 1, "the records are sealed into the node's feed")
    await store.close()
  })

  it('ends cleanly when closed before it ever had a store', async () => {
    const writer = StoreWriter.prepare({ seal: true })
    await writer.close()
    const unattached = StoreWriter.prepare({ seal: false })
    assert.throws(() => unattached.drain(), /before attach/)
    await unattached.close()
  })

  it('does not wait for a thread that is gone', async () => {
    const { dir, store } = await fresh('gone')
    const writer = StoreWriter.start(store, { dataDir: dir, seal: false })
    await writer.close()
    assert.throws(
      () => writer.drain(),
      (e: unknown) => (e as { code?: string }).code === 'ERR_DB_IO',
    )
    await store.close()
  })

  it('waits while its backlog is full, and loses nothing', async () => {
    const { dir, store } = await fresh('backlog')
    const writer = StoreWriter.start(store, { dataDir: dir, seal: false, maxPendingRecords: 50 })
    let waits = 0
    writer.onWait = (written, handed) => {
      waits++
      assert.ok(written <= handed)
    }
    let n = 0
    for (let b = 0; b < 40; b++) {
      const batch: RecordUpdate[] = []
      for (let k = 0; k < 30; k++, n++) {
        batch.push({
          id: {
            kind: 'rr',
            rrname: `b${n}.example`,
            rrtype: 1,
            bailiwick: null,
            rdata: '192.0.2.7',
            origin: 1,
          },
          value: { first: T0, last: T0, count: 1 },
          mode: 'add',
        })
      }
      writer.apply(batch, {})
      assert.ok(writer.progress.handed - writer.progress.written <= 80, 'at most one batch past the cap')
    }
    assert.equal(writer.drain().inserted, n)
    assert.ok(waits > 0)
    await writer.close()
    assert.equal(checkIndexes(store).rrsets, n)
    await store.close()
  })
})
