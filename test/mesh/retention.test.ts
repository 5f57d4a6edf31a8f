/**
 * Retention meets the mesh: a node merges only the records of a peer's entries that are within its
 * retention, still holds (and forwards) the entries whole, and neither a re-delivery nor the next
 * sync brings an expired record back: sync compares feed heads, which expiry never moves.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { isPeersLabel } from '../../node/ingest/index.ts'
import { Feeds } from '../../node/mesh/feeds.ts'
import { Expiry } from '../../node/store/expiry.ts'
import { RRSET_RANGE } from '../../node/store/keys.ts'
import { Store } from '../../node/store/store.ts'
import { decodeValue } from '../../node/store/value.ts'
import { tempDir } from '../store/helpers.ts'
import { copyEntries, stopNode, type TestNode, testNode } from './helpers.ts'

const DAY = 86_400

/** Every entry of `from`'s feeds that `to` lacks, accepted by `to`; how many were applied. */
function copy(from: Feeds, to: Feeds, self: string): number {
  return copyEntries(from, to, self).applied ?? 0
}

function lastSeens(store: Store): number[] {
  return [...store.range(RRSET_RANGE)].map(([, v]) => decodeValue(v)!.last).sort((x, y) => x - y)
}

describe('retention and the mesh', () => {
  const cleanups: (() => Promise<void>)[] = []
  after(async () => {
    for (const c of cleanups) await c()
  })

  it("a peer's old records are not merged; entries are still held, forwarded, and never re-applied", async () => {
    const a: TestNode = await testNode('a')
    cleanups.push(() => stopNode(a))
    const now = 1_800_000_000
    const origin = a.store.originId(a.peerId)
    const lasts = [now - 100 * DAY, now - 40 * DAY, now - 10 * DAY, now - DAY]
    a.store.apply(
      lasts.map((last, i) => ({
        id: {
          kind: 'rr' as const,
          rrname: `h${i}.example.com`,
          rrtype: 1,
          bailiwick: null,
          rdata: `192.0.2.${i}`,
          origin,
        },
        value: { first: last - DAY, last, count: 1 },
        mode: 'add' as const,
      })),
    )
    const key = await generateKeyPair('Ed25519')
    const self = peerIdFromPrivateKey(key).toString()
    const t = tempDir('mesh-retention-b')
    const store = await Store.open(t.dir, { create: true })
    cleanups.push(async () => {
      await store.close()
      t.cleanup()
    })
    let clock = now
    const expiry = new Expiry(
      { store, isRemote: (l) => isPeersLabel(self, l), now: () => clock },
      { retention: { local: 90 * DAY, remote: 30 * DAY } },
    )
    const feeds = new Feeds({ store, retention: expiry })
    assert.ok(copy(a.feeds, feeds, self) > 0)
    assert.deepEqual(lastSeens(store), [now - 10 * DAY, now - DAY], 'only what is within retention_remote')
    assert.equal(feeds.tooOld, 2)
    // the entries are held whole: a third node without retention gets every record through this one
    const c = await testNode('c')
    cleanups.push(() => stopNode(c))
    copy(feeds, c.feeds, c.peerId)
    assert.equal(lastSeens(c.store).length, 4)
    // time passes: expiry deletes another; nothing the peer sends again brings it back
    clock = now + 25 * DAY
    assert.equal((await expiry.run()).expired, 1)
    assert.equal(copy(a.feeds, feeds, self), 0, 'in sync: the heads did not move')
    for (const e of a.feeds.entriesAfter(a.peerId, 0, Infinity, Infinity)) {
      assert.equal(feeds.accept(e, { self }).status, 'duplicate')
    }
    assert.deepEqual(lastSeens(store), [now - DAY])
  })
})
