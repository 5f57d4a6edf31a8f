import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { freePort } from '../helpers/rig.ts'
import { CORPUS_DIR, corpusCaptures, requireCorpus } from '../helpers/shared.ts'
import {
  address,
  cli,
  digest,
  exportLines,
  type MeshDir,
  meshDir,
  startMeshNode,
  tempRoot,
} from './mesh-helpers.ts'
import { until } from './node-process.ts'

const { root, cleanup } = tempRoot('star')
const dirs: MeshDir[] = []
after(async () => {
  for (const d of dirs) await d.node?.stop()
  cleanup()
})

test('three nodes in a star, each fed a third of the corpus, converge with every record under exactly the vantages that saw it', async (t) => {
  if (!requireCorpus(t, 'the three-node mesh')) return
  const hub = await meshDir(root, 'hub', await freePort())
  const a = await meshDir(root, 'leaf-a', await freePort())
  const b = await meshDir(root, 'leaf-b', await freePort())
  dirs.push(hub, a, b)
  const files = corpusCaptures().map((f) => join(CORPUS_DIR, f))
  // each node sees a different part of the corpus (every third capture), as vantages do
  for (const [i, d] of [hub, a, b].entries()) {
    const mine = files.filter((_, k) => k % 3 === i)
    await cli(['import', '--data', d.dir, '--quiet', ...mine])
  }
  // before the mesh: what each vantage saw itself (one COF line per record and vantage)
  const own = await Promise.all([hub, a, b].map(exportLines))
  const union = [...new Set(own.flat())].sort()
  assert.ok(own.every((l) => l.length > 500))

  await startMeshNode(hub, { peers: [], allow: [a.peerId, b.peerId] })
  // the leaves know only the hub: each other's records come through it
  await startMeshNode(a, { peers: [address(hub)], allow: [hub.peerId] })
  await startMeshNode(b, { peers: [address(hub)], allow: [hub.peerId] })

  await until(
    'equal digests',
    async () => {
      const ds = await Promise.all([hub, a, b].map(digest))
      return ds.every((x) => x === ds[0])
    },
    120_000,
  )
  // every node answers every record, each listed under exactly the vantages that saw it, with
  // the count that vantage counted (nothing counted twice on the way through the hub)
  for (const d of [hub, a, b]) assert.deepEqual(await exportLines(d), union)

  const peers = JSON.parse(await cli(['peers', '--data', hub.dir, '--format', 'json']))
  const seen = new Map(peers.peers.map((p: { peerId: string }) => [p.peerId, p]))
  for (const leaf of [a, b]) {
    const p = seen.get(leaf.peerId) as { connected: boolean; entriesIn: number; bytesIn: number }
    assert.equal(p.connected, true)
    assert.ok(p.entriesIn > 0 && p.bytesIn > 0)
  }
  const table = await cli(['peers', '--data', hub.dir, '--format', 'table'])
  assert.match(table, new RegExp(a.peerId))

  // a name only leaf b saw, asked at leaf a with --mesh: answered by the hub (and merged)
  const bOnly = own[2]!
    .map((l) => JSON.parse(l))
    .find((r) => !own[0]!.concat(own[1]!).some((x) => JSON.parse(x).rrname === r.rrname))
  assert.ok(bOnly, 'leaf b saw a name nobody else did')
  const answer = JSON.parse(
    await cli(['query', 'rrset', bOnly.rrname, '--data', a.dir, '--mesh', '--format', 'json']),
  )
  assert.deepEqual(
    answer.peers.map((p: { peer: string; status: string }) => [p.peer, p.status]),
    [[hub.peerId, 'answered']],
  )
  assert.ok(
    answer.records.some((r: { vantages: { origin: string }[] }) =>
      r.vantages.some((v) => v.origin === b.peerId),
    ),
  )
})
