/**
 * AggregationWindow.drain(): what an import inside the node ends with — everything in memory written
 * one batch per event-loop turn (the node keeps serving meanwhile), resolved once written.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AggregationWindow } from '../../node/ingest/window.ts'
import type { RecordId } from '../../node/store/keys.ts'
import type { ApplyResult, RecordUpdate } from '../../node/store/store.ts'

const T0 = 1_700_000_000

function id(i: number): RecordId {
  return { kind: 'rr', rrname: `h${i}.example`, rrtype: 1, bailiwick: null, rdata: '192.0.2.1', origin: 1 }
}

function sink(fail = () => false) {
  const calls: { names: string[]; sync: boolean | undefined }[] = []
  return {
    calls,
    apply(updates: readonly RecordUpdate[], options: { sync?: boolean }): ApplyResult {
      if (fail()) throw new Error('disk on fire')
      calls.push({ names: updates.map((u) => u.id.rrname), sync: options.sync })
      return { inserted: updates.length, updated: 0, unchanged: 0 }
    },
  }
}

test('drain writes everything one batch per event-loop turn, what arrives meanwhile too, the last batch synced', async () => {
  const s = sink()
  const w = new AggregationWindow(s, { flushIntervalMs: 0, background: true, batchSize: 10, sync: true })
  w.start()
  for (let i = 0; i < 95; i++) w.add(id(i), T0, T0, 1, 'add')
  // a turn-counting chain: it runs between the batches if the loop is given up between them
  let turns = 0
  let counting = true
  const tick = () => {
    turns++
    if (counting) setImmediate(tick)
  }
  setImmediate(tick)
  const drained = w.drain()
  assert.equal(s.calls.length, 0, 'nothing is written before the first turn')
  // arrives while the drain runs: written by the same drain
  setImmediate(() => w.add(id(1000), T0, T0, 1, 'add'))
  await drained
  counting = false
  const names = s.calls.flatMap((c) => c.names)
  assert.equal(names.length, 96)
  assert.ok(names.includes('h1000.example'))
  assert.equal(s.calls.length, 11)
  assert.ok(turns >= s.calls.length - 1, `${turns} turns for ${s.calls.length} batches`)
  // two flushes: the 95 entries in 10 batches, then the one that arrived meanwhile; each ends synced
  assert.deepEqual(
    s.calls.map((c) => c.sync),
    [...Array<boolean>(9).fill(false), true, true],
  )
  assert.equal(w.stats().pending, 0)
  assert.equal(w.stats().inserted, 96)
  w.stop()
  assert.equal(s.calls.length, 11, 'stop() after a drain has nothing left to write')
})

test('a store error rejects drain and leaves the unwritten entries in the window', async () => {
  let failing = false
  const s = sink(() => failing)
  const w = new AggregationWindow(s, { flushIntervalMs: 0, background: true, batchSize: 10 })
  w.start()
  for (let i = 0; i < 30; i++) w.add(id(i), T0, T0, 1, 'add')
  failing = true
  await assert.rejects(w.drain(), /disk on fire/)
  assert.equal(w.stats().pending, 30)
  failing = false
  await w.drain()
  assert.equal(s.calls.flatMap((c) => c.names).length, 30)
  w.stop()
})
