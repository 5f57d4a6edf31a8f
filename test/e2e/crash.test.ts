/**
 * kill -9 of a node under sustained dnstap load, then a restart: the store opens (stale sockets
 * replaced, RocksDB recovers its write-ahead log), `pdns-mesh check` finds indexes and records in
 * agreement, and nothing the window had flushed before the kill is lost — so the loss is bounded by
 * the flush interval.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { requireRigTools, runDnsperf, startRig } from '../helpers/rig.ts'
import { runCli } from '../helpers/run-cli.ts'
import { recordsOf, type StatsJson, startNode, until, writeConfig } from './node-process.ts'

test('a node killed with SIGKILL under load restarts on an intact store that lost nothing it had flushed', async (t) => {
  if (!requireRigTools(t)) return
  const dir = mkdtempSync(join(tmpdir(), 'pdns-e2e-crash-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const data = join(dir, 'node')
  const rig = await startRig({ names: 3000, dnstapSocket: join(data, 'dnstap.sock'), dnstapIdentity: 'ub' })
  t.after(() => rig.stop({ drain: false }))
  const config = writeConfig(dir, '[capture]\nenabled = false\n[store]\nflush_interval = "1s"\n')
  const node = await startNode(data, ['--config', config])
  t.after(() => node.child.kill('SIGKILL'))
  await until(
    'unbound to connect',
    async () => (await node.stats()).node.components.dnstap.connections.current >= 1,
  )

  // phase A: a first set of names, answered and flushed
  const firstNames = rig.names.slice(0, 500)
  const first = join(dir, 'first.txt')
  writeFileSync(first, firstNames.map((n) => `${n} A\n`).join(''))
  const a = await runDnsperf(rig, { queriesFile: first })
  await until('phase A flushed', async () => {
    const s = await node.stats()
    return (
      s.node.components.dnstap.messages.CLIENT_RESPONSE >= a.completed &&
      s.node.components.window.pending === 0
    )
  })

  // phase B: sustained load over the other names; the node is killed in the middle of it
  const rest = join(dir, 'rest.txt')
  writeFileSync(
    rest,
    rig.names
      .slice(500)
      .map((n) => `${n} A\n`)
      .join(''),
  )
  const load = runDnsperf(rig, { queriesFile: rest, durationS: 4, qps: 1500 })
  let last: StatsJson | null = null
  const deadline = Date.now() + 2500
  while (Date.now() < deadline) {
    last = (await node.stats()).node.components.window
    await new Promise((r) => setTimeout(r, 100))
  }
  node.child.kill('SIGKILL')
  const killed = await node.exited
  assert.equal(killed.signal, 'SIGKILL')
  assert.ok(last !== null && last.flushes >= 2, 'timed flushes ran under load')
  await load

  // restart on the same data: stale control and dnstap sockets, a WAL to replay
  const again = await startNode(data, ['--config', config])
  t.after(() => again.child.kill('SIGKILL'))
  const stats = await again.stats()
  const peerId = stats.node.peerId as string
  // every (record, origin) pair the window had written before the kill is there
  assert.ok(
    stats.entries >= last!.inserted,
    `entries after restart ${stats.entries} >= inserted before kill ${last!.inserted}`,
  )
  assert.equal((await again.stop()).code, 0)

  const check = await runCli(['check', '--data', data, '--format', 'json'])
  assert.equal(check.code, 0, check.stderr)
  const report = JSON.parse(check.stdout)
  assert.equal(report.problems, 0)
  assert.ok(report.counts.records >= last!.inserted)

  const lines = (await runCli(['export', '--data', data])).stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l))
  const got = recordsOf(lines, `${peerId}/ub`)
  for (const name of firstNames) {
    for (const r of rig.resolve(name, 'A').answers) {
      assert.equal(
        got.get(`${r.name} A ${r.rdata}`),
        2,
        `${r.name} (flushed before the kill) kept with its count`,
      )
    }
  }
})
