import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { PdnsError } from '../../node/errors.ts'
import { type RecordId, rrsetKey } from '../../node/store/keys.ts'
import { FLUSH_BATCH_SIZE } from '../../node/store/limits.ts'
import type { ApplyResult, RecordUpdate } from '../../node/store/store.ts'
import { AggregationWindow } from '../../node/store/window.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { pick, randomRec } from './helpers.ts'

const SEED = 0x7769_6e64
const T0 = 1_700_000_000

/** A stand-in for Store.apply that records every batch (copied: the window may reuse nothing, but be safe). */
function recorder(fail = false) {
  const calls: { updates: RecordUpdate[]; sync: boolean | undefined }[] = []
  return {
    calls,
    apply(updates: readonly RecordUpdate[], options: { sync?: boolean }): ApplyResult {
      if (fail) throw new Error('disk on fire')
      calls.push({ updates: updates.map((u) => ({ ...u, value: { ...u.value } })), sync: options.sync })
      return { inserted: updates.length, updated: 0, unchanged: 0 }
    },
    /** every update of every call, in order */
    get updates(): RecordUpdate[] {
      return calls.flatMap((c) => c.updates)
    },
  }
}

/** Records whose window entries all cost the same (same text lengths). */
function sameSize(i: number): RecordId {
  return {
    kind: 'rr',
    rrname: `h${String(i).padStart(6, '0')}.example`,
    rrtype: 1,
    bailiwick: null,
    rdata: '192.0.2.1',
    origin: 1,
  }
}

describe('aggregation window', () => {
  it('flushes when its memory estimate reaches the cap, and only then', () => {
    const probe = new AggregationWindow(recorder(), { flushIntervalMs: 0 })
    probe.add(sameSize(0), T0, T0, 1, 'add')
    const entryBytes = probe.stats().pendingBytes
    assert.ok(entryBytes > 0)

    const sink = recorder()
    const window = new AggregationWindow(sink, { flushIntervalMs: 0, maxBytes: 3 * entryBytes })
    window.add(sameSize(1), T0, T0, 1, 'add')
    window.add(sameSize(2), T0, T0, 1, 'add')
    // repeats of a pending record cost nothing more
    for (let k = 0; k < 10; k++) window.add(sameSize(2), T0 + k, T0 + k, 1, 'add')
    assert.equal(sink.calls.length, 0)
    assert.equal(window.stats().pending, 2)
    assert.equal(window.stats().pendingBytes, 2 * entryBytes)
    window.add(sameSize(3), T0, T0, 1, 'add')
    assert.equal(sink.calls.length, 1, 'the third entry reaches the cap')
    assert.equal(sink.calls[0]!.updates.length, 3)
    assert.deepEqual(window.stats().pending, 0)
    assert.deepEqual(window.stats().pendingBytes, 0)
    for (let i = 4; i < 10; i++) window.add(sameSize(i), T0, T0, 1, 'add')
    assert.equal(sink.calls.length, 3)
    assert.equal(window.stats().flushes, 3)
    assert.equal(window.stats().inserted, 9)
  })

  it('writes what is left on stop, synced when the window is, and nothing when empty', () => {
    const sink = recorder()
    const window = new AggregationWindow(sink, { flushIntervalMs: 0, sync: true })
    window.stop()
    assert.equal(sink.calls.length, 0)
    for (let i = 0; i < 5; i++) window.add(sameSize(i), T0, T0, 1, 'add')
    assert.equal(sink.calls.length, 0)
    window.stop()
    assert.equal(sink.calls.length, 1)
    assert.deepEqual(
      sink.calls[0]!.updates.map((u) => u.id.rrname),
      [0, 1, 2, 3, 4].map((i) => sameSize(i).rrname),
    )
    assert.equal(sink.calls[0]!.sync, true)
    window.stop()
    assert.equal(sink.calls.length, 1)

    const unsynced = recorder()
    const w2 = new AggregationWindow(unsynced, { flushIntervalMs: 0 })
    w2.add(sameSize(0), T0, T0, 1, 'add')
    w2.stop()
    assert.equal(unsynced.calls[0]!.sync, false)
  })

  it('splits a large flush into batches and syncs only the last', () => {
    const sink = recorder()
    const window = new AggregationWindow(sink, { flushIntervalMs: 0, sync: true })
    const n = FLUSH_BATCH_SIZE + 7
    for (let i = 0; i < n; i++) window.add(sameSize(i), T0, T0, 1, 'add')
    window.stop()
    assert.deepEqual(
      sink.calls.map((c) => [c.updates.length, c.sync]),
      [
        [FLUSH_BATCH_SIZE, false],
        [7, true],
      ],
    )
    assert.equal(window.stats().flushes, 1)
  })

  it('combines repeats of a record before writing: apply sees each record once', () => {
    const rand = prng(SEED)
    const sink = recorder()
    const window = new AggregationWindow(sink, { flushIntervalMs: 0 })
    const pool = Array.from({ length: 300 }, () => randomRec(rand).id)
    // expected per record: min first, max last, summed ('add', origin 1) or max ('max', other origins)
    const want = new Map<string, { first: number; last: number; count: number }>()
    for (let n = 0; n < 5000; n++) {
      const id = pick(rand, pool)
      const mode = id.origin === 1 ? 'add' : 'max'
      const first = T0 + randInt(rand, 1000)
      const last = first + randInt(rand, 1000)
      const count = 1 + randInt(rand, 50)
      window.add(id, first, last, count, mode)
      const k = rrsetKey(id).toString('hex')
      const w = want.get(k)
      if (w === undefined) want.set(k, { first, last, count })
      else {
        w.first = Math.min(w.first, first)
        w.last = Math.max(w.last, last)
        w.count = mode === 'add' ? w.count + count : Math.max(w.count, count)
      }
    }
    window.stop()
    assert.equal(sink.calls.length, 1)
    const keys = sink.updates.map((u) => rrsetKey(u.id).toString('hex'))
    assert.equal(new Set(keys).size, keys.length, 'a record reached apply twice in one batch')
    assert.equal(keys.length, want.size)
    for (const u of sink.updates) assert.deepEqual(u.value, want.get(rrsetKey(u.id).toString('hex')))
  })

  it('adds counts in add mode and keeps the largest in max mode', () => {
    const sink = recorder()
    const window = new AggregationWindow(sink, { flushIntervalMs: 0 })
    const local = sameSize(1)
    const copy = { ...sameSize(1), origin: 2 }
    for (const [t, c] of [
      [T0 + 5, 3],
      [T0, 7],
      [T0 + 9, 2],
    ] as const) {
      window.add(local, t, t, c, 'add')
      window.add(copy, t, t + 1, c, 'max')
    }
    window.stop()
    const byOrigin = new Map(sink.updates.map((u) => [u.id.origin, u]))
    assert.deepEqual(byOrigin.get(1)!.value, { first: T0, last: T0 + 9, count: 12 })
    assert.equal(byOrigin.get(1)!.mode, 'add')
    assert.deepEqual(byOrigin.get(2)!.value, { first: T0, last: T0 + 10, count: 7 })
    assert.equal(byOrigin.get(2)!.mode, 'max')
  })

  it('flushes on its timer, and reports timed-flush errors to onError', async () => {
    const sink = recorder()
    const window = new AggregationWindow(sink, { flushIntervalMs: 10 })
    window.start()
    window.start() // idempotent: one timer
    window.add(sameSize(1), T0, T0, 1, 'add')
    for (let waited = 0; sink.calls.length === 0 && waited < 5000; waited += 5) await sleep(5)
    assert.equal(sink.calls.length, 1)
    window.add(sameSize(2), T0, T0, 1, 'add')
    for (let waited = 0; sink.calls.length === 1 && waited < 5000; waited += 5) await sleep(5)
    assert.equal(sink.calls.length, 2)
    window.stop()
    window.add(sameSize(3), T0, T0, 1, 'add')
    await sleep(50)
    assert.equal(sink.calls.length, 2, 'no timed flush after stop')

    const errors: unknown[] = []
    const failing = new AggregationWindow(recorder(true), {
      flushIntervalMs: 10,
      onError: (e) => errors.push(e),
    })
    failing.start()
    failing.add(sameSize(1), T0, T0, 1, 'add')
    for (let waited = 0; errors.length === 0 && waited < 5000; waited += 5) await sleep(5)
    assert.match(String(errors[0]), /disk on fire/)
    assert.throws(() => {
      failing.add(sameSize(2), T0, T0, 1, 'add')
      failing.stop()
    }, /disk on fire/)
  })

  it('refuses a cap that is not positive', () => {
    for (const maxBytes of [0, -1, Number.NaN]) {
      assert.throws(
        () => new AggregationWindow(recorder(), { maxBytes }),
        (e: unknown) => e instanceof PdnsError && e.code === 'ERR_BAD_ARGUMENT',
      )
    }
  })
})
