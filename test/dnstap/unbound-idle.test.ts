/**
 * The idle cut against a real resolver: the server's idle timeout (limits.ts, DNSTAP_IDLE_TIMEOUT_MS)
 * is only safe if a resolver that is cut for saying nothing comes back by itself and loses nothing.
 * unbound from the DNS rig (scripts/rig/) feeds the server; the timeout is made short here so that
 * the quiet spell between two dnsperf runs is enough to cut it.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { DnstapServer } from '../../node/dnstap/index.ts'
import { requireRigTools, runDnsperf, startRig } from '../helpers/rig.ts'
import { until } from './helpers.ts'

test('unbound cut for idleness reconnects by itself, and every response after the cut arrives', async (t) => {
  if (!requireRigTools(t)) return
  const dir = await mkdtemp(join(tmpdir(), 'pdns-dnstap-idle-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const sock = join(dir, 'dnstap.sock')
  let observations = 0
  const server = new DnstapServer(
    { sinkFor: () => () => observations++ },
    { listen: [`unix:${sock}`], idleTimeoutMs: 1500 },
  )
  await server.start()
  t.after(() => server.stop())
  const rig = await startRig({ names: 50, dnstapSocket: sock, dnstapIdentity: 'idle-unbound' })
  t.after(() => rig.stop({ drain: false }))
  const responses = () => server.stats().messages.CLIENT_RESPONSE ?? 0

  const first = await runDnsperf(rig)
  assert.equal(first.completed, rig.names.length)
  await until(() => responses() === first.completed, 'the first run reported')
  // quiet: unbound sends nothing, so its connection is cut; it connects again on its own
  const cutsBefore = server.stats().cut.idle_timeout ?? 0
  await until(() => (server.stats().cut.idle_timeout ?? 0) > cutsBefore, 'an idle cut')
  await until(() => server.stats().connections.current === 1, 'unbound reconnected')

  const second = await runDnsperf(rig)
  assert.equal(second.completed, rig.names.length)
  await until(() => responses() === first.completed + second.completed, 'the second run reported')
  const st = server.stats()
  assert.ok(st.connections.total >= 2, `unbound connected ${st.connections.total} times`)
  assert.deepEqual(Object.keys(st.cut), ['idle_timeout'], 'idle cuts only, no fault')
  assert.deepEqual(
    st.ingest.identities.map((i) => i.identity),
    ['idle-unbound'],
  )
  assert.ok(observations > 0)
})
