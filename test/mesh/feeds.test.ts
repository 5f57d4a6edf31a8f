import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { storeDigest } from '../../node/mesh/digest.ts'
import { Feeds } from '../../node/mesh/feeds.ts'
import { LocalFeed } from '../../node/mesh/local-feed.ts'
import { Store } from '../../node/store/store.ts'
import { decodeEntry, encodeEntry, type SignedEntry, WireError } from '../../protocol/index.ts'
import { prng } from '../helpers/prng.ts'
import { randomRec, tempDir } from '../store/helpers.ts'

async function node(name: string) {
  const t = tempDir(`mesh-${name}`)
  const store = await Store.open(t.dir, { create: true })
  const key = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(key).toString()
  const feeds = new Feeds({ store })
  const local = new LocalFeed({ store, feeds, privateKey: key }, peerId)
  return { t, store, key, peerId, feeds, local }
}

type N = Awaited<ReturnType<typeof node>>

/** Every entry `from` holds that `to` lacks, oldest first, accepted by `to`. */
function copyAll(from: N, to: N): number {
  let n = 0
  for (const h of from.feeds.heads()) {
    const have = to.feeds.head(h.author)?.seq ?? 0
    for (const e of from.feeds.entriesAfter(h.author, have, Infinity, Infinity)) {
      if (to.feeds.accept(e, { self: to.peerId }).status === 'applied') n++
    }
  }
  return n
}

function feedRecords(n: N, count: number, seed: number, label?: string) {
  const rand = prng(seed)
  const origin = n.store.originId(label ?? n.peerId)
  const updates = []
  for (let i = 0; i < count; i++) {
    const rec = randomRec(rand, { origin, maxText: 200 })
    updates.push({
      id: rec.id,
      value: { first: 1000 + i, last: 2000 + i, count: 1 + (i % 7) },
      mode: 'add' as const,
    })
  }
  n.store.apply(updates)
}

describe('feeds', () => {
  const open: N[] = []
  after(async () => {
    for (const n of open) {
      await n.store.close()
      n.t.cleanup()
    }
  })

  it('a peer that accepts every entry holds the same records and prints the same digest', async () => {
    const a = await node('a')
    const b = await node('b')
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
    const t = tempDir('mesh-deferred')
    const store = await Store.open(t.dir, { create: true })
    const key = await generateKeyPair('Ed25519')
    const peerId = peerIdFromPrivateKey(key).toString()
    const feeds = new Feeds({ store })
    const local = new LocalFeed({ store, feeds, privateKey: key }, peerId, { updateIntervalMs: 3_600_000 })
    const peer = await node('deferred-peer')
    open.push({ t, store, key, peerId, feeds, local } as N, peer)
    local.attach()
    const n = { t, store, key, peerId, feeds, local } as N
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

  it('records written before the feed existed are sealed when it attaches', async () => {
    const a = await node('backfill')
    const b = await node('backfill-peer')
    open.push(a, b)
    feedRecords(a, 2500, 4)
    const held = (await storeDigest(a.store)).records
    assert.ok(held > 2400)
    assert.equal(a.local.attach().backfilled, held)
    b.local.attach()
    copyAll(a, b)
    assert.equal((await storeDigest(a.store)).digest, (await storeDigest(b.store)).digest)
  })

  it('refuses altered, forged and forked entries, and holds back one that skips ahead', async () => {
    const a = await node('honest')
    const b = await node('receiver')
    const m = await node('mallory')
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
