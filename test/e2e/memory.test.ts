/**
 * A flood of unique names on a live interface: the aggregation window must stay under its
 * configured cap (flushing at the cap, not on its timer, which is set to an hour here), every name
 * must reach the store, and the node's peak RSS is reported.
 */
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import dnsPacket from 'dns-packet'
import { RemoteBackend } from '../../node/api/index.ts'
import { requireCapture } from '../capture/live-helpers.ts'
import { freePort } from '../helpers/rig.ts'
import { runCli } from '../helpers/run-cli.ts'
import { type StatsJson, startNode, until, writeConfig } from './node-process.ts'

/** rounds of new names; RocksDB's memtables (2 × 64 MiB) and block cache (64 MiB) fill in the first ones */
const ROUNDS = 6
const PER_ROUND = 70_000
/**
 * What the node may hold beyond its window and its memory at start: RocksDB's block cache (64 MiB)
 * and memtables (2 × 64 MiB by default), and 256 MiB for the V8 heap's garbage and headroom.
 */
const FIXED_BUDGET = (64 + 128 + 256) * 1048576
const CAP_MB = 16

function response(i: number): Buffer {
  const name = `u${i}.flood.example`
  return dnsPacket.encode({
    type: 'response',
    id: i & 0xffff,
    flags: dnsPacket.AUTHORITATIVE_ANSWER,
    questions: [{ type: 'A', name }],
    answers: [{ type: 'A', name, ttl: 60, data: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` }],
  })
}

test('under a flood of unique names the window stays under its cap and every name is stored', async (t) => {
  if (!requireCapture(t, 'the flood on lo')) return
  const dir = mkdtempSync(join(tmpdir(), 'pdns-e2e-mem-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const data = join(dir, 'node')
  const port = await freePort()
  const config = writeConfig(
    dir,
    [
      '[capture]',
      'interfaces = ["lo"]',
      `ports = [${port}]`,
      'buffer_mb = 64',
      '[dnstap]',
      'listen = []',
      '[store]',
      `window_mb = ${CAP_MB}`,
      'flush_interval = "1h"',
      '',
    ].join('\n'),
  )
  const node = await startNode(data, ['--config', config])
  t.after(() => node.child.kill('SIGKILL'))
  const baseline = node.peakRss()

  // polled straight over the control socket (the CLI's process start would be too coarse)
  const remote = new RemoteBackend(join(data, 'control.sock'))
  t.after(() => remote.close())
  const windows: StatsJson[] = []
  let peakHeap = 0
  let polling = true
  const poller = (async () => {
    while (polling) {
      const c = (await remote.status()).components as StatsJson
      windows.push(c.window)
      peakHeap = Math.max(peakHeap, c.memory.heapUsed)
      await new Promise((r) => setTimeout(r, 50))
    }
  })()

  // the responses go to a port nobody listens on: libpcap on lo sees them all the same (an
  // unconnected socket: a connected one would fail its sends on the ICMP port-unreachable replies)
  const sock = createSocket('udp4')
  let sent = 0
  let captured = 0
  /** Sends names [from, to) and waits until the capture has seen (or the kernel dropped) them all. */
  const flood = async (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      sock.send(response(i), port, '127.0.0.1', (err) => {
        if (err === null || err === undefined) sent++
      })
      // paced so the kernel's capture buffer keeps up; drops would show in the stats, not hide
      if (i % 200 === 199) await new Promise((r) => setTimeout(r, 1))
    }
    await until(
      'the capture to see the flood',
      async () => {
        const c = (await remote.status()).components as StatsJson
        captured = c.sensor.responses
        return sent === to && captured + c.capture.interfaces[0].kernel.dropped >= sent
      },
      120_000,
    )
  }
  // rounds of as many new names each: memory held per name seen would grow in the last round as
  // in the first; a bounded node (window cap, RocksDB's fixed buffers) reaches a plateau
  const peaks: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    await flood(r * PER_ROUND, (r + 1) * PER_ROUND)
    peaks.push(node.peakRss())
  }
  sock.close()
  polling = false
  await poller
  const peak = node.peakRss()
  const final = (await node.stats()).node.components
  assert.equal((await node.stop()).code, 0)

  const cap = CAP_MB * 1048576
  const maxPending = Math.max(...windows.map((w) => w.pendingBytes))
  t.diagnostic(
    `window cap ${CAP_MB} MiB: largest window seen ${(maxPending / 1048576).toFixed(1)} MiB over ${windows.length} polls; ` +
      `${final.window.flushes} flushes; peak V8 heap ${(peakHeap / 1048576).toFixed(0)} MiB, node peak RSS ${(peak / 1048576).toFixed(0)} MiB ` +
      `(${(baseline / 1048576).toFixed(0)} MiB at start; after each round of ${PER_ROUND} new names: ` +
      `${peaks.map((p) => (p / 1048576).toFixed(0)).join(', ')} MiB); ${captured} responses captured, ` +
      `${final.capture.interfaces[0].kernel.dropped} dropped by the kernel`,
  )
  assert.ok(maxPending <= cap, `window ${maxPending} bytes <= cap ${cap}`)
  assert.ok(final.window.flushes >= 2, 'the cap, not the hourly timer, made the window flush')
  // the last round of new names costs less than half the memory the first one took: the window
  // cap and RocksDB's fixed buffers, not the number of names seen, bound what the node holds
  // (averaged over the last two rounds: RocksDB allocates a new memtable in steps)
  const firstGrowth = peaks[0]! - baseline
  const lastGrowth = (peaks[ROUNDS - 1]! - peaks[ROUNDS - 3]!) / 2
  assert.ok(
    lastGrowth < firstGrowth / 2,
    `peak RSS grew ${lastGrowth} bytes a round at the end vs ${firstGrowth} in the first`,
  )
  assert.ok(
    peak <= baseline + cap + FIXED_BUDGET,
    `peak RSS ${peak} within the window cap and the fixed budget`,
  )

  // every captured name is in the store (the last window was written at stop)
  const stats = JSON.parse((await runCli(['stats', '--data', data, '--format', 'json'])).stdout)
  assert.equal(stats.records, captured)
})
