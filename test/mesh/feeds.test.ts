import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { storeDigest } from '../../node/mesh/digest.ts'
import { DIRTY_RANGE } from '../../node/store/keys.ts'
import { decodeEntry, encodeEntry, type SignedEntry, WireError } from '../../protocol/index.ts'
import { copyEntries, observe, stopNode, type TestNode, testNode, until } from './helpers.ts'

type N = TestNode

/** Every entry `from` holds that `to` lacks, oldest first, accepted by `to`. */
function copyAll(from: N, to: N): number {
  return copyEntries(from.feeds, to.feeds, to.peerId).applied ?? 0
}

/** `count` seeded records observed by the node (its own origin or a dnstap label of it). */
const feedRecords = (n: N, count: number, seed: number, label?: string) => observe(n, count, seed, label)

describe('feeds', () => {
  const open: N[] = []
  after(async () => {
    for (const n of open) await stopNode(n)
  })

  it('a peer that accepts every entry holds the same records and prints the same digest', async () => {
    const a = await testNode('a', { attach: false })
    const b = await testNode('b', { attach: false })
    open.push(a, b)
    a.local.attach()
    b.local.attach()
    feedRecords(a, 5000, 1)
    feedRecords(a, 300, 2, `${a.peerId}/unbound1`)
    feedRecords(b, 700, 3)
    // the same records seen again: counts add locally, and the entries carry the cumulative value
    feedRecords(a, 100, 1)
    assert.ok(copyAll(a, b) > 0)
    assert.ok(copyAll(b, a) > 0)
    const da = await storeDigest(a.store)
    const db = await storeDigest(b.store)
    assert.equal(da.digest, db.digest)
    assert.deepEqual(
      da.origins.map((o) => o.origin),
      [a.peerId, `${a.peerId}/unbound1`, b.peerId].sort(),
    )
    // a second copy changes nothing: counts are cumulative ('max'), never added twice
    assert.equal(copyAll(a, b), 0)
    for (const h of a.feeds.heads()) {
      for (const e of a.feeds.entriesAfter(h.author, 0, Infinity, Infinity)) {
        assert.equal(b.feeds.accept(e, { self: b.peerId }).status, 'duplicate')
      }
    }
    assert.equal((await storeDigest(b.store)).digest, da.digest)
  })

  it('updates of sealed records wait for the update interval and go once, with their latest value', async () => {
    const n = await testNode('deferred', { attach: false, updateIntervalMs: 3_600_000 })
    const peer = await testNode('deferred-peer', { attach: false })
    open.push(n, peer)
    n.local.attach()
    const { store, feeds, peerId, local } = n
    feedRecords(n, 1000, 9)
    const afterInsert = feeds.head(peerId)!.seq
    // the same records seen at three more flushes: marked, not sealed
    for (let k = 0; k < 3; k++) feedRecords(n, 1000, 9)
    assert.equal(feeds.head(peerId)!.seq, afterInsert)
    copyAll(n, peer)
    assert.notEqual((await storeDigest(peer.store)).digest, (await storeDigest(store)).digest)
    // the interval comes: every updated record once, with its count after all four flushes
    const sealed = local.sealUpdates()
    assert.ok(sealed > 900 && sealed <= 1000)
    assert.equal(local.sealUpdates(), 0)
    copyAll(n, peer)
    assert.equal((await storeDigest(peer.store)).digest, (await storeDigest(store)).digest)
  })

  it("the update interval's timer seals the marked updates a batch per event-loop turn, then stops", async () => {
    const n = await testNode('timer', { attach: false, updateIntervalMs: 20 })
    open.push(n)
    n.local.attach()
    const { feeds, peerId, local } = n
    feedRecords(n, 6000, 11)
    for (let k = 0; k < 2; k++) feedRecords(n, 6000, 11)
    const before = feeds.head(peerId)!.seq
    // turns of the event loop while the timer's sealing runs: other work gets them between batches
    let turns = 0
    const turnsAt: number[] = []
    const unlisten = feeds.onEntry(() => turnsAt.push(turns))
    let ticking = true
    const ticker = (async () => {
      while (ticking) {
        turns++
        await new Promise((r) => setImmediate(r))
      }
    })()
    local.start()
    await until('the marks sealed', () => [...n.store.range(DIRTY_RANGE, { values: false })].length === 0)
    local.stop()
    ticking = false
    await ticker
    unlisten()
    const sealed = feeds.head(peerId)!.seq - before
    assert.ok(sealed >= 3, `${sealed} entries of updates`)
    assert.ok(new Set(turnsAt).size >= 3, `sealed in ${new Set(turnsAt).size} turns`)
  })

  it('records written before the feed existed are sealed when it attaches', async () => {
    const a = await testNode('backfill', { attach: false })
    const b = await testNode('backfill-peer', { attach: false })
    open.push(a, b)
    feedRecords(a, 2500, 4)
    const held = (await storeDigest(a.store)).records
    assert.ok(held > 2400)
    assert.equal(a.local.attach().backfilled, held)
    b.local.attach()
    copyAll(a, b)
    assert.equal((await storeDigest(a.store)).digest, (await storeDigest(b.store)).digest)
  })

  it('a store holding only other origins is read through for the backfill once, not at every attach', async () => {
    const a = await testNode('backfill-once', { attach: false })
    open.push(a)
    // records of another vantage only (an import of someone else's COF, say): nothing to seal
    feedRecords(a, 200, 7, 'cof:elsewhere')
    assert.equal(a.local.attach().backfilled, 0)
    assert.equal(a.feeds.head(a.peerId), undefined)
    a.local.detach()
    // a record of this node written with no sealer attached: a second scan would find and seal it
    feedRecords(a, 1, 8)
    assert.equal(a.local.attach().backfilled, 0)
    assert.equal(a.feeds.head(a.peerId), undefined)
  })

  it('refuses altered, forged and forked entries, and holds back one that skips ahead', async () => {
    const a = await testNode('honest', { attach: false })
    const b = await testNode('receiver', { attach: false })
    const m = await testNode('mallory', { attach: false })
    open.push(a, b, m)
    a.local.attach()
    m.local.attach()
    feedRecords(a, 50, 5)
    feedRecords(a, 50, 6)
    const [e1, e2] = a.feeds.entriesAfter(a.peerId, 0, Infinity, Infinity) as [SignedEntry, SignedEntry]

    const altered = { entry: Uint8Array.from(e1.entry), signature: e1.signature }
    altered.entry[altered.entry.length - 1]! ^= 1
    assert.throws(() => b.feeds.accept(altered, { self: b.peerId }), WireError)

    // mallory signs an entry that claims to be a's
    const forged = decodeEntry(e1.entry)
    const body = encodeEntry({ ...forged, time: forged.time + 1 })
    const sig = m.key.sign(body) as Uint8Array
    assert.throws(
      () => b.feeds.accept({ entry: body, signature: sig }, { self: b.peerId }),
      (err: unknown) => err instanceof WireError && err.reason === 'bad-signature',
    )

    assert.equal(b.feeds.accept(e2, { self: b.peerId }).status, 'gap')
    assert.equal(b.feeds.accept(e1, { self: b.peerId }).status, 'applied')
    assert.equal(b.feeds.accept(e2, { self: b.peerId }).status, 'applied')
    assert.equal(b.feeds.head(a.peerId)?.seq, 2)
    assert.equal(b.store.findOrigin(m.peerId), undefined)
  })
})
