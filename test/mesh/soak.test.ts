/**
 * A mesh under churn, seeded: a hub and three leaves, every node sealing new records and updates of
 * old ones (its update timer running, checkpoints set low), leaves' meshes stopped and started
 * again at random. Once the churn stops, every node must hold the same records (equal digests) and
 * the same feeds (per author: the same head, the same entries held, the same bytes), whatever
 * crossed what on the way.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import type { Mesh } from '../../node/mesh/index.ts'
import { prng } from '../helpers/prng.ts'
import { converged, observe, startMesh, stopNode, type TestNode, testNode, until } from './helpers.ts'

const ROUNDS = 40
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function feedsOf(n: TestNode): string {
  return [...n.feeds.authors.values()]
    .map((h) => `${h.author} ${h.seq} ${h.entries} ${h.bytes}`)
    .sort()
    .join('\n')
}

describe('a mesh under churn', () => {
  const nodes: TestNode[] = []
  after(async () => {
    for (const n of nodes) await stopNode(n)
  })

  it('converges to the same records and the same feeds on every node', async () => {
    const rand = prng(Number(process.env.SOAK_SEED ?? 7))
    const hub = await testNode('soak-hub', { updateIntervalMs: 100 })
    const leaves: TestNode[] = []
    for (let i = 0; i < 3; i++) leaves.push(await testNode(`soak-leaf-${i}`, { updateIntervalMs: 100 }))
    const all = [hub, ...leaves]
    nodes.push(...all)
    for (const n of all) {
      n.local.setCheckpointRecords(1200)
      n.local.start()
    }
    const hubMesh = await startMesh(hub, { allow: leaves.map((l) => l.peerId) })
    const hubAddr = hubMesh.addresses()[0]!
    const up = async (l: TestNode): Promise<Mesh> => startMesh(l, { allow: [hub.peerId], peers: [hubAddr] })
    for (const l of leaves) await up(l)

    // seeds of records each node has sealed: seen again later, they move counts (updates)
    const seeds: number[][] = all.map(() => [])
    for (let round = 0; round < ROUNDS; round++) {
      const i = Math.floor(rand() * all.length)
      const n = all[i]!
      if (seeds[i]!.length > 0 && rand() < 0.4) {
        observe(n, 300, seeds[i]![Math.floor(rand() * seeds[i]!.length)]!)
      } else {
        const seed = 1000 * (i + 1) + round
        seeds[i]!.push(seed)
        observe(n, 300, seed)
      }
      // a leaf goes away and comes back (its store and feed stay; its connections do not)
      if (rand() < 0.2) {
        const l = leaves[Math.floor(rand() * leaves.length)]!
        await l.mesh?.stop()
        l.mesh = null
        await sleep(Math.floor(rand() * 200))
        await up(l)
      }
      await sleep(Math.floor(rand() * 150))
    }
    // every feed checkpointed at least once (each carried well over 1 200 records), at its timer
    for (const n of all) {
      await until(`${n.name} checkpointed`, () => {
        const h = n.feeds.head(n.peerId)
        return h !== undefined && h.entries < h.seq
      })
    }
    await until('equal digests', () => converged(all), 120_000)
    await until('equal feeds', () => all.every((n) => feedsOf(n) === feedsOf(hub)), 120_000)
    for (const n of all) assert.equal(feedsOf(n), feedsOf(hub), n.name)
  })
})
