import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { freePort } from '../helpers/rig.ts'
import { runCli } from '../helpers/run-cli.ts'
import { address, cli, type MeshDir, meshDir, meshToml, startMeshNode, tempRoot } from './mesh-helpers.ts'
import { until, writeConfig } from './node-process.ts'

const { root, cleanup } = tempRoot('reload')
const dirs: MeshDir[] = []
after(async () => {
  for (const d of dirs) await d.node?.stop()
  cleanup()
})

async function peerOf(d: MeshDir, id: string) {
  const s = JSON.parse(await cli(['peers', '--data', d.dir, '--format', 'json']))
  return s.peers.find((p: { peerId: string }) => p.peerId === id) as
    | { connected: boolean; allowed: boolean }
    | undefined
}

test('reload and SIGHUP apply a new allowlist at once; a key that needs a restart is refused and nothing changes', async () => {
  const hub = await meshDir(root, 'hub', await freePort())
  const leaf = await meshDir(root, 'leaf', await freePort())
  dirs.push(hub, leaf)
  await startMeshNode(hub, { peers: [], allow: [leaf.peerId] })
  await startMeshNode(leaf, { peers: [address(hub)], allow: [hub.peerId] })
  await until('the leaf connects', async () => (await peerOf(hub, leaf.peerId))?.connected === true, 60_000)

  // the hub's operator removes the leaf: disconnected at once, refused from now on
  writeConfig(hub.dir, meshToml(hub, { peers: [], allow: [] }))
  const r = await runCli(['reload', '--data', hub.dir])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /applied: mesh\.allow/)
  await until(
    'the leaf is cut off',
    async () => (await peerOf(hub, leaf.peerId))?.connected === false,
    30_000,
  )
  assert.equal((await peerOf(hub, leaf.peerId))?.allowed, false)

  // a change only a restart can make: refused, naming the key; the allowlist stays as it was
  const restartOnly = meshToml(hub, { peers: [], allow: [leaf.peerId] }, ['[log]', 'level = "debug"'])
  writeConfig(hub.dir, restartOnly.replace('flush_interval = "1s"', 'flush_interval = "2s"'))
  const refused = await runCli(['reload', '--data', hub.dir])
  assert.equal(refused.code, 2)
  assert.match(refused.stderr, /store\.flush_interval needs a restart/)
  assert.equal((await peerOf(hub, leaf.peerId))?.allowed, false)
  // a file that does not parse: refused too
  writeConfig(hub.dir, '[mesh\nlisten = ')
  assert.equal((await runCli(['reload', '--data', hub.dir])).code, 2)

  // SIGHUP with the leaf allowed again: the leaf's redials get in
  writeConfig(hub.dir, meshToml(hub, { peers: [], allow: [leaf.peerId] }))
  hub.node!.child.kill('SIGHUP')
  await until('the leaf is back', async () => (await peerOf(hub, leaf.peerId))?.connected === true, 90_000)
  assert.ok(hub.node!.logs.some((l) => l.msg === 'configuration reloaded'))
})
