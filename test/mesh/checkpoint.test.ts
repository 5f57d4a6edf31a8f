/**
 * Feed checkpoints: an author restates the records it still holds, and every holder of its feed
 * then drops the entries before the checkpoint, so feeds stop growing with records that retention
 * deleted or that were sealed again and again. A node that lacks the dropped entries (new, or behind)
 * continues from the checkpoint's first entry and ends with the same records.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import protobuf from 'protobufjs'
import { isPeersLabel } from '../../node/ingest/index.ts'
import { storeDigest } from '../../node/mesh/digest.ts'
import { encodeHead, Feeds, type Head } from '../../node/mesh/feeds.ts'
import { LocalFeed } from '../../node/mesh/local-feed.ts'
import { Expiry } from '../../node/store/expiry.ts'
import { decodeFeedKey, FEED_RANGE, feedHeadKey, RRSET_RANGE } from '../../node/store/keys.ts'
import { Store } from '../../node/store/store.ts'
import {
  decodeEntry,
  encodeEntry,
  encodeSignedEntry,
  type SignedEntry,
  sealEntry,
  WireError,
} from '../../protocol/index.ts'
import { tempDir } from '../store/helpers.ts'
import {
  converged,
  copyEntries,
  digestOf,
  observe,
  startMesh,
  stopNode,
  type TestNode,
  testNode,
  until,
} from './helpers.ts'

/** An Entry's bytes as a node before checkpoints encoded it: the six fields of mesh.proto then. */
function protobufOf(e: Omit<ReturnType<typeof decodeEntry>, 'base' | 'complete'>): Uint8Array {
  const root = protobuf.parse(`syntax = "proto3"; message Entry { string author = 1; uint64 seq = 2;
    bytes prev = 3; uint64 time = 4; uint32 records = 5; bytes block = 6; }`).root
  const T = root.lookupType('Entry')
  return T.encode(T.fromObject(e)).finish()
}

/** The seqs of the entries `n` holds of `author`, from the store itself. */
function heldSeqs(n: TestNode, author: string): number[] {
  const id = n.store.findOrigin(author)
  const out: number[] = []
  for (const [key] of n.store.range(FEED_RANGE, { values: false })) {
    const k = decodeFeedKey(key)
    if (k !== null && k.author === id) out.push(k.seq)
  }
  return out
}

function head(n: TestNode, author: string): Head {
  const h = n.feeds.head(author)
  assert.ok(h !== undefined, `${n.name} holds a feed of ${author}`)
  return h
}

/** Bytes of the entries `n` holds of `author`, summed from the store. */
function heldBytes(n: TestNode, author: string): number {
  return n.feeds
    .entriesAfter(author, 0, Infinity, Infinity)
    .reduce((s, e) => s + encodeSignedEntry(e).length, 0)
}

describe('feed checkpoints', () => {
  const nodes: TestNode[] = []
  after(async () => {
    for (const n of nodes) await stopNode(n)
  })
  const node = async (name: string, opts: Parameters<typeof testNode>[1] = {}) => {
    const n = await testNode(name, opts)
    nodes.push(n)
    return n
  }

  it('restates the live records and drops the entries before it, on the author and on every holder', async () => {
    const a = await node('a')
    const b = await node('b')
    // 300 records sealed, then sealed again twice with larger counts: 900 records carried, 300 live
    for (let i = 0; i < 3; i++) observe(a, 300, 1)
    observe(a, 40, 2, `${a.peerId}/resolver1`)
    copyEntries(a.feeds, b.feeds, b.peerId)
    const before = head(a, a.peerId)
    assert.equal(before.records, 940)
    assert.equal(head(b, a.peerId).entries, before.seq)

    const out = await a.local.checkpoint()
    assert.equal(out.status, 'complete')
    if (out.status !== 'complete') return
    assert.equal(out.base, before.seq + 1)
    assert.equal(out.restated, 340, 'every live record of its origins, the resolver label too')
    assert.equal(out.dropped, before.seq, 'every entry before the checkpoint')
    const now = head(a, a.peerId)
    assert.deepEqual(heldSeqs(a, a.peerId)[0], out.base)
    assert.equal(now.entries, now.seq - out.base + 1)
    assert.equal(now.records, 340)
    assert.equal(now.kept, 340)
    assert.equal(now.bytes, heldBytes(a, a.peerId))
    const last = a.feeds.entriesAfter(a.peerId, now.seq - 1, Infinity, Infinity)[0]!
    const e = decodeEntry(last.entry)
    assert.deepEqual([e.base, e.complete], [out.base, true])

    // a holder applies the checkpoint in order and drops the same entries
    const digest = await digestOf(a)
    assert.equal(await digestOf(b), digest)
    assert.deepEqual(copyEntries(a.feeds, b.feeds, b.peerId), { applied: now.seq - before.seq })
    assert.deepEqual(heldSeqs(b, a.peerId), heldSeqs(a, a.peerId))
    const onB = head(b, a.peerId)
    assert.deepEqual([onB.entries, onB.bytes, onB.records], [now.entries, now.bytes, now.records])
    assert.equal(await digestOf(b), digest, 'restating changed no record')

    // a new node syncing from the holder starts at the checkpoint and gets every record
    const c = await node('c')
    const got = copyEntries(b.feeds, c.feeds, c.peerId)
    assert.deepEqual(got, { applied: now.entries })
    assert.equal(await digestOf(c), digest)
    assert.equal(head(c, a.peerId).seq, now.seq)
    assert.equal(head(c, a.peerId).bytes, now.bytes)
  })

  it('a node behind the checkpoint jumps to it and drops what it held before', async () => {
    const a = await node('a2')
    const behind = await node('behind')
    observe(a, 200, 3)
    copyEntries(a.feeds, behind.feeds, behind.peerId)
    const held = head(behind, a.peerId).seq
    observe(a, 200, 3) // updates the node behind never receives
    observe(a, 50, 4)
    const forwarder = await node('forwarder')
    copyEntries(a.feeds, forwarder.feeds, forwarder.peerId)
    const out = await a.local.checkpoint()
    assert.equal(out.status, 'complete')
    copyEntries(a.feeds, forwarder.feeds, forwarder.peerId)
    assert.ok(heldSeqs(forwarder, a.peerId)[0]! > held + 1, 'the forwarder no longer holds what comes next')

    const r = copyEntries(forwarder.feeds, behind.feeds, behind.peerId)
    assert.equal(r.gap, undefined)
    assert.equal(await digestOf(behind), await digestOf(a))
    assert.deepEqual(
      heldSeqs(behind, a.peerId),
      heldSeqs(a, a.peerId),
      'its old entries went with the checkpoint',
    )
    assert.equal(head(behind, a.peerId).entries, head(a, a.peerId).entries)
  })

  it('records that retention deleted are not restated: the feed shrinks with them', async () => {
    const a = await node('a3')
    observe(a, 400, 5)
    // observe() writes last_seen 1_700_001_000 + i: the first half is older than the cutoff
    const expiry = new Expiry(
      { store: a.store, isRemote: (l) => isPeersLabel(a.peerId, l), now: () => 1_700_001_200 + 86_400 },
      { retention: { local: 86_400, remote: 86_400 } },
    )
    const expired = (await expiry.run()).expired
    const live = [...a.store.range(RRSET_RANGE, { values: false })].length
    assert.ok(expired >= 150 && live >= 150, `${expired} expired, ${live} left`)
    const before = head(a, a.peerId)
    assert.equal(before.records, expired + live)
    const out = await a.local.checkpoint()
    assert.equal(out.status, 'complete')
    assert.equal(out.status === 'complete' && out.restated, live)
    const now = head(a, a.peerId)
    assert.equal(now.records, live)
    assert.ok(now.bytes < before.bytes / 1.5, `${now.bytes} bytes held after, ${before.bytes} before`)
    const c = await node('c3')
    copyEntries(a.feeds, c.feeds, c.peerId)
    assert.equal(await digestOf(c), await digestOf(a), 'a newcomer gets the live records, not the expired')
  })

  it('is due once the feed carries the set number of records and twice what the last one kept', async () => {
    const a = await node('a4')
    a.local.setCheckpointRecords(500)
    observe(a, 300, 6)
    assert.equal(a.local.due(), false)
    observe(a, 300, 6)
    assert.equal(a.local.due(), true, '600 records carried, 300 live')
    await a.local.checkpoint()
    assert.equal(head(a, a.peerId).kept, 300)
    assert.equal(a.local.due(), false)
    observe(a, 300, 6)
    assert.equal(a.local.due(), true, '600 carried again: twice the 300 kept')
    a.local.setCheckpointRecords(null)
    assert.equal(a.local.due(), false, 'off')
  })

  it('a checkpoint stopped half-way drops nothing; the next one drops everything before it', async () => {
    const a = await node('a5')
    observe(a, 5000, 7)
    const seq0 = head(a, a.peerId).seq
    const stop = new AbortController()
    // the scan reads CHECKPOINT_SCAN_BATCH records a turn: stop it once its first batch is sealed
    const unlisten = a.feeds.onEntry(() => stop.abort())
    const out = await a.local.checkpoint({ signal: stop.signal })
    unlisten()
    assert.ok(head(a, a.peerId).seq > seq0, 'a first batch was restated')
    assert.equal(out.status, 'stopped')
    assert.equal(heldSeqs(a, a.peerId)[0], 1, 'nothing dropped')
    a.local.setCheckpointRecords(1_000_000_000)
    assert.equal(a.local.due(), true, 'an unfinished checkpoint is due again, however small the feed')
    const b = await node('b5')
    copyEntries(a.feeds, b.feeds, b.peerId)
    const again = await a.local.checkpoint()
    assert.equal(again.status, 'complete')
    assert.equal(heldSeqs(a, a.peerId)[0], again.base)
    assert.equal(a.local.due(), false)
    copyEntries(a.feeds, b.feeds, b.peerId)
    assert.deepEqual(heldSeqs(b, a.peerId), heldSeqs(a, a.peerId))
    assert.equal(await digestOf(b), await digestOf(a))
  })

  it('heads survive a reopen, and a head written before checkpoints existed reads as every entry held', async () => {
    const a = await node('a6')
    observe(a, 100, 8)
    observe(a, 100, 8)
    await a.local.checkpoint()
    const h = head(a, a.peerId)
    assert.deepEqual(new Feeds({ store: a.store }).head(a.peerId), h)
    // version 1: seq, hash, bytes, records
    const v1 = Buffer.concat([Buffer.from([1, 7]), h.hash, Buffer.from([200, 1, 30])])
    a.store.apply([], { extra: [{ put: feedHeadKey(a.store.originId(a.peerId)), value: v1 }] })
    const old = new Feeds({ store: a.store }).head(a.peerId)!
    assert.deepEqual(
      [old.seq, old.entries, old.bytes, old.records, old.base, old.kept],
      [7, 7, 200, 30, 0, 0],
    )
    assert.equal(encodeHead(old)[0], 2)
  })

  it('a jump lands only on the first entry of a checkpoint; a checkpoint field out of range is refused', async () => {
    const a = await node('a7')
    const b = await node('b7')
    observe(a, 10, 9)
    observe(a, 10, 10)
    const [, second] = a.feeds.entriesAfter(a.peerId, 0, Infinity, Infinity) as [SignedEntry, SignedEntry]
    assert.equal(b.feeds.accept(second, { self: b.peerId }).status, 'gap')
    // signed by the author, but base beyond seq: not a valid entry whoever sends it
    const bad = sealEntry(a.key, a.peerId, 3, head(a, a.peerId).hash, 1, [], { base: 9, complete: true })
    assert.throws(
      () => b.feeds.accept(bad.signed, { self: b.peerId }),
      (err) => err instanceof WireError && err.reason === 'field-range',
    )
    assert.throws(
      () => decodeEntry(encodeEntry({ ...decodeEntry(second.entry), base: 0, complete: true })),
      (err) => err instanceof WireError && err.reason === 'field-range',
    )
    // an entry sealed outside any checkpoint has the same bytes as before checkpoints existed
    assert.equal(decodeEntry(second.entry).base, 0)
    const { base: _b, complete: _c, ...rest } = decodeEntry(second.entry)
    const pre = protobufOf(rest)
    assert.deepEqual(Buffer.from(second.entry), Buffer.from(pre), 'base and complete are left out when unset')
  })

  it('a node that lost its store gets its records back from a checkpointed feed, and its feed goes on', async () => {
    const a = await node('a8')
    const b = await node('b8')
    observe(a, 300, 12)
    observe(a, 300, 12)
    await a.local.checkpoint()
    observe(a, 100, 13)
    copyEntries(a.feeds, b.feeds, b.peerId)
    const digest = await digestOf(a)
    // the same identity on an empty store (the disk was lost): its own entries come back from b
    const t = tempDir('mesh-a8-restored')
    const store = await Store.open(t.dir, { create: true })
    const feeds = new Feeds({ store })
    const local = new LocalFeed({ store, feeds, signer: a.key }, a.peerId)
    local.attach()
    try {
      assert.equal(copyEntries(b.feeds, feeds, a.peerId).gap, undefined, 'it starts at the checkpoint')
      assert.equal(feeds.head(a.peerId)?.seq, head(a, a.peerId).seq)
      assert.equal((await storeDigest(store)).digest, digest)
      // new records are sealed after the restored head, and the holder takes them in order
      const origin = store.originId(a.peerId)
      store.apply([
        {
          id: { kind: 'rr', rrname: 'new.example', rrtype: 1, bailiwick: null, rdata: '192.0.2.9', origin },
          value: { first: 1_800_000_000, last: 1_800_000_000, count: 1 },
          mode: 'add',
        },
      ])
      assert.deepEqual(copyEntries(feeds, b.feeds, b.peerId), { applied: 1 })
      assert.equal((await storeDigest(b.store)).digest, (await storeDigest(store)).digest)
    } finally {
      local.detach()
      await store.close()
      t.cleanup()
    }
  })

  it('over libp2p: peers drop the entries with the author, and a newcomer gets every record from a holder', async () => {
    const a = await node('mesh-a')
    const b = await node('mesh-b')
    const c = await node('mesh-c')
    for (let i = 0; i < 3; i++) observe(a, 500, 11)
    observe(b, 200, 12)
    const ma = await startMesh(a, { allow: [b.peerId] })
    const mb = await startMesh(b, { allow: [a.peerId, c.peerId], peers: [ma.addresses()[0]!] })
    await until('a and b in sync', () => converged([a, b]))
    const out = await a.local.checkpoint()
    assert.equal(out.status, 'complete')
    await until('b dropped what a dropped', () => heldSeqs(b, a.peerId)[0] === heldSeqs(a, a.peerId)[0])
    assert.equal(head(b, a.peerId).seq, head(a, a.peerId).seq)
    // c knows only b, which no longer holds a's first entries
    await startMesh(c, { allow: [b.peerId], peers: [mb.addresses()[0]!] })
    await until('all three in sync', () => converged([a, b, c]))
    assert.deepEqual(heldSeqs(c, a.peerId), heldSeqs(a, a.peerId))
    assert.equal(head(c, a.peerId).bytes, head(a, a.peerId).bytes)
  })
})
