/**
 * A node beside a live resolver: unbound sends dnstap straight to the node's socket while the node
 * also captures the same traffic on `lo` with libpcap. Both inputs must end in the same records
 * (under the resolver's origin and the node's own), unbound's restart must not lose anything after
 * the reconnection, and the node must stop cleanly on SIGTERM with a store `check` accepts.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { requireCapture } from '../capture/live-helpers.ts'
import { requireRigTools, runDnsperf, startRig } from '../helpers/rig.ts'
import { runCli } from '../helpers/run-cli.ts'
import { recordsOf, startNode, until, writeConfig } from './node-process.ts'

test('dnstap from a live unbound and libpcap on lo give the same records, across an unbound restart', async (t) => {
  if (!requireRigTools(t)) return
  if (!requireCapture(t, 'live capture on lo beside the rig')) return
  const dir = mkdtempSync(join(tmpdir(), 'pdns-e2e-live-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const data = join(dir, 'node')
  const rig = await startRig({ names: 400, dnstapSocket: join(data, 'dnstap.sock'), dnstapIdentity: 'ub1' })
  t.after(() => rig.stop({ drain: false }))
  const config = writeConfig(
    dir,
    [
      '[capture]',
      'interfaces = ["lo"]',
      `ports = [${rig.authPort}, ${rig.resolverPort}]`,
      '[store]',
      'flush_interval = "1s"',
      '',
    ].join('\n'),
  )
  const node = await startNode(data, ['--config', config])
  t.after(() => node.child.kill('SIGKILL'))
  const dnstap = async () => (await node.stats()).node.components.dnstap
  await until('unbound to connect', async () => (await dnstap()).connections.current >= 1)

  // the first half of the hosts, then unbound restarts, then the second half
  const half = rig.names.length / 2
  const first = join(dir, 'first.txt')
  const second = join(dir, 'second.txt')
  writeFileSync(
    first,
    rig.names
      .slice(0, half)
      .map((n) => `${n} A\n`)
      .join(''),
  )
  writeFileSync(
    second,
    rig.names
      .slice(half)
      .map((n) => `${n} A\n`)
      .join(''),
  )
  const a = await runDnsperf(rig, { queriesFile: first })
  await rig.restartResolver()
  await until('unbound to reconnect', async () => {
    const s = await dnstap()
    return s.connections.total >= 2 && s.connections.current >= 1
  })
  const b = await runDnsperf(rig, { queriesFile: second })
  const typed = await runDnsperf(rig, { queriesFile: rig.typedQueriesFile })
  assert.equal(a.completed + b.completed, rig.names.length)
  const answered = a.completed + b.completed + typed.completed
  await until('every client response over dnstap', async () => {
    return ((await dnstap()).messages.CLIENT_RESPONSE ?? 0) >= answered
  })
  const stats = await node.stats()
  const peerId = stats.node.peerId as string
  assert.equal(stats.node.components.dnstap.messages.CLIENT_RESPONSE, answered)
  const capture = stats.node.components.capture
  assert.equal(capture.enabled, true)
  assert.equal(capture.interfaces[0].interface, 'lo')
  assert.equal(typeof capture.interfaces[0].kernel.dropped, 'number', 'kernel drop counter in stats')

  // SIGTERM: inputs stop, the window is flushed, exit 0
  assert.equal((await node.stop()).code, 0)
  const lines = (await runCli(['export', '--data', data])).stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l))
  const viaDnstap = recordsOf(lines, `${peerId}/ub1`)
  const viaPcap = recordsOf(lines, peerId)
  // libpcap may lose packets on a loaded machine (its ring full); its counters say so, and then
  // the capture's counts may be short. Without a loss reported, both vantages must agree exactly.
  const kernel = capture.interfaces[0].kernel
  const lossless = kernel.dropped === 0 && kernel.interfaceDropped === 0
  t.diagnostic(`libpcap on lo: ${JSON.stringify(kernel)}`)
  for (const name of rig.names) {
    for (const r of rig.resolve(name, 'A').answers) {
      const key = `${r.name} A ${r.rdata}`
      // cold cache: one RESOLVER_RESPONSE (nsd → unbound) and one CLIENT_RESPONSE (unbound → dnsperf)
      assert.equal(viaDnstap.get(key), 2, `${key} over dnstap`)
      if (lossless) assert.equal(viaPcap.get(key), 2, `${key} on lo`)
      else assert.ok((viaPcap.get(key) ?? 0) <= 2, `${key} on lo`)
    }
  }
  // the two vantages saw the same responses: the same records with the same counts
  if (lossless) assert.deepEqual(viaPcap, viaDnstap)
  else {
    // what a lost packet can take away is a count, or a record seen only in it
    for (const [key, n] of viaPcap) assert.ok(n <= (viaDnstap.get(key) ?? 0), `${key} on lo`)
  }

  const check = await runCli(['check', '--data', data])
  assert.equal(check.code, 0, check.stderr)
})
