/** Real mesh nodes in this process: a store on disk, a feed, and a libp2p host on 127.0.0.1. */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createLogger } from '../../node/log/index.ts'
import type { AcceptResult } from '../../node/mesh/feeds.ts'
import { Feeds, LocalFeed, Mesh, type MeshConfig, storeDigest } from '../../node/mesh/index.ts'
import { LocalBackend } from '../../node/query/local.ts'
import { Store } from '../../node/store/store.ts'
import { prng } from '../helpers/prng.ts'
import { randomRec, tempDir } from '../store/helpers.ts'

export interface TestNode {
  name: string
  dir: string
  store: Store
  key: PrivateKey
  peerId: string
  feeds: Feeds
  local: LocalFeed
  mesh: Mesh | null
  cleanup: () => void
}

/**
 * `attach: false` leaves the feed detached (records written before it existed);
 * `updateIntervalMs` defers updates as a node does (default: every change sealed at once).
 */
export async function testNode(
  name: string,
  opts: { attach?: boolean; updateIntervalMs?: number } = {},
): Promise<TestNode> {
  const t = tempDir(`mesh-${name}`)
  const store = await Store.open(t.dir, { create: true })
  const key = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(key).toString()
  const feeds = new Feeds({ store })
  const local = new LocalFeed({ store, feeds, signer: key }, peerId, {
    updateIntervalMs: opts.updateIntervalMs ?? null,
  })
  if (opts.attach !== false) local.attach()
  return { name, dir: t.dir, store, key, peerId, feeds, local, mesh: null, cleanup: t.cleanup }
}

export async function startMesh(n: TestNode, config: Partial<MeshConfig>): Promise<Mesh> {
  const mesh = new Mesh(
    {
      feeds: n.feeds,
      backend: LocalBackend.over(n.store, n.peerId),
      privateKey: n.key,
      peerId: n.peerId,
      log: createLogger({ level: process.env.MESH_TEST_LOG === 'debug' ? 'debug' : 'silent' }).child({
        node: n.name,
      }),
    },
    {
      listen: ['/ip4/127.0.0.1/tcp/0'],
      peers: [],
      allow: [],
      pskFile: null,
      share: 'all',
      ...config,
    },
  )
  await mesh.start()
  n.mesh = mesh
  return mesh
}

export async function stopNode(n: TestNode): Promise<void> {
  await n.mesh?.stop()
  await n.store.close()
  n.cleanup()
}

/** `count` seeded records observed by this node (its own origin, or one of its dnstap labels). */
export function observe(n: TestNode, count: number, seed: number, label?: string): void {
  const rand = prng(seed)
  const origin = n.store.originId(label ?? n.peerId)
  const updates = []
  for (let i = 0; i < count; i++) {
    const rec = randomRec(rand, { origin, maxText: 100 })
    updates.push({
      id: rec.id,
      value: { first: 1_700_000_000 + i, last: 1_700_001_000 + i, count: 1 + (i % 5) },
      mode: 'add' as const,
    })
  }
  n.store.apply(updates)
}

/**
 * Every entry of `from`'s feeds that `to` lacks (beyond its heads), accepted by `to` in order, as a
 * sync would carry them; how many of each status.
 */
export function copyEntries(
  from: Feeds,
  to: Feeds,
  self: string,
): Partial<Record<AcceptResult['status'], number>> {
  const n: Partial<Record<AcceptResult['status'], number>> = {}
  for (const h of from.heads()) {
    const have = to.head(h.author)?.seq ?? 0
    for (const e of from.entriesAfter(h.author, have, Infinity, Infinity)) {
      const s = to.accept(e, { self }).status
      n[s] = (n[s] ?? 0) + 1
    }
  }
  return n
}

export async function digestOf(n: TestNode): Promise<string> {
  return (await storeDigest(n.store)).digest
}

/** Waits until `ok()` holds, checking every 50 ms; fails with `what` after `ms` (generous: slow machines). */
export async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await ok()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** All digests equal. */
export async function converged(nodes: readonly TestNode[]): Promise<boolean> {
  const d = await Promise.all(nodes.map(digestOf))
  return d.every((x) => x === d[0])
}
