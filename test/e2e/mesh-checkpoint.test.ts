/**
 * Feed checkpoints in running nodes: with mesh.checkpoint_records set low, a node whose feed has
 * grown restates its records at its next update interval and drops the entries before; its peer
 * drops them too, and a newcomer that knows only that peer still gets every record.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { freePort } from '../helpers/rig.ts'
import { CORPUS_DIR, corpusCaptures, requireCorpus } from '../helpers/shared.ts'
import { address, cli, digest, type MeshDir, meshDir, startMeshNode, tempRoot } from './mesh-helpers.ts'
import { until } from './node-process.ts'

const { root, cleanup } = tempRoot('checkpoint')
const dirs: MeshDir[] = []
after(async () => {
  for (const d of dirs) await d.node?.stop()
  cleanup()
})

interface FeedStat {
  author: string
  entries: number
  bytes: number
}

async function feedsOf(d: MeshDir): Promise<FeedStat[]> {
  return (JSON.parse(await cli(['stats', '--data', d.dir, '--format', 'json'])) as { feeds: FeedStat[] })
    .feeds
}

test('a node checkpoints its feed at mesh.checkpoint_records; peers drop the same entries; a newcomer still gets every record', async (t) => {
  if (!requireCorpus(t, 'feed checkpoints between nodes')) return
  const a = await meshDir(root, 'a', await freePort())
  const b = await meshDir(root, 'b', await freePort())
  const c = await meshDir(root, 'c', await freePort())
  dirs.push(a, b, c)
  const files = corpusCaptures().map((f) => join(CORPUS_DIR, f))
  // the same captures twice: every record sealed once, then again with its larger count
  await cli(['import', '--data', a.dir, '--quiet', ...files.slice(0, 40)])
  await cli(['import', '--data', a.dir, '--quiet', ...files.slice(0, 40)])
  const [before] = await feedsOf(a)
  assert.ok(before !== undefined && before.entries > 1, 'the imports sealed entries')

  const checkpoint = ['checkpoint_records = 10']
  await startMeshNode(a, { peers: [], allow: [b.peerId] }, { extra: checkpoint })
  await startMeshNode(b, { peers: [address(a)], allow: [a.peerId, c.peerId] }, { extra: checkpoint })
  await until(
    'a checkpoint completes',
    async () => a.node!.logs.some((l) => l.msg === 'feed checkpoint complete'),
    60_000,
  )
  const done = a.node!.logs.find((l) => l.msg === 'feed checkpoint complete') as unknown as {
    base: number
    restated: number
    dropped: number
  }
  assert.equal(done.dropped, done.base - 1, 'every entry before the checkpoint')
  assert.ok(done.restated > 100)
  await until(
    'a and b hold the same feed of a',
    async () => {
      const [fa, fb] = await Promise.all([feedsOf(a), feedsOf(b)])
      const x = fa.find((f) => f.author === a.peerId)
      const y = fb.find((f) => f.author === a.peerId)
      return x !== undefined && y !== undefined && x.entries === y.entries && x.bytes === y.bytes
    },
    60_000,
  )
  const after = (await feedsOf(a)).find((f) => f.author === a.peerId)!
  assert.ok(after.bytes < before.bytes, `${after.bytes} bytes held after, ${before.bytes} before`)

  // c knows only b, which no longer holds a's first entries
  await startMeshNode(c, { peers: [address(b)], allow: [b.peerId] }, { extra: checkpoint })
  await until(
    'equal digests',
    async () => {
      const ds = await Promise.all([a, b, c].map(digest))
      return ds.every((x) => x === ds[0])
    },
    120_000,
  )
})

test('a running node seals updates of records already sent every update_interval: its peer sees the larger counts without a restart', async (t) => {
  if (!requireCorpus(t, 'updates between running nodes')) return
  const a = await meshDir(root, 'upd-a', await freePort())
  const b = await meshDir(root, 'upd-b', await freePort())
  dirs.push(a, b)
  const files = corpusCaptures()
    .map((f) => join(CORPUS_DIR, f))
    .slice(0, 10)
  await cli(['import', '--data', a.dir, '--quiet', ...files])
  await startMeshNode(a, { peers: [], allow: [b.peerId] })
  await startMeshNode(b, { peers: [address(a)], allow: [a.peerId] })
  await until('equal digests', async () => (await digest(a)) === (await digest(b)), 60_000)
  // the same captures again, into the running node: the same records, larger counts (DIRTY marks)
  await cli(['import', '--data', a.dir, '--quiet', ...files])
  const moved = await digest(a)
  await until('b has the larger counts', async () => (await digest(b)) === moved, 60_000)
})
