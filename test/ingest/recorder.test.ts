/**
 * The recorder's hot path: a record the window holds already is merged through one reused probe
 * (window.merge), and only a record the window does not hold has its names checked and is added.
 * Whatever the path, the window must end up with what adding every observation would give, and the
 * counters must count every observation by the same rules.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { makeObservation, type Observation } from '../../node/dns/observation.ts'
import { Recorder } from '../../node/ingest/recorder.ts'
import { AggregationWindow } from '../../node/ingest/window.ts'
import type { RecordId } from '../../node/store/keys.ts'
import type { ApplyResult, RecordUpdate } from '../../node/store/store.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { aRecord } from '../store/helpers.ts'

const T0 = 1_700_000_000

function sink() {
  const updates: RecordUpdate[] = []
  return {
    updates,
    apply(batch: readonly RecordUpdate[]): ApplyResult {
      for (const u of batch) updates.push(structuredClone(u))
      return { inserted: batch.length, updated: 0, unchanged: 0 }
    },
  }
}

function obs(over: Partial<Observation> & { rrname: string }): Observation {
  const o = makeObservation(
    'rr',
    T0 * 1e6,
    over.rrname,
    'A',
    'IN',
    '192.0.2.1',
    300,
    'answer',
    'NOERROR',
    over.rrname,
    'A',
    null,
    'udp',
    null,
  )
  return { ...o, ...over }
}

describe('window.merge', () => {
  it('merges into a pending entry and leaves an absent one to add()', () => {
    const s = sink()
    const w = new AggregationWindow(s, { flushIntervalMs: 0 })
    const id = aRecord('a.example')
    assert.equal(w.merge(id, T0, T0, 1, 'add'), false)
    assert.equal(w.stats().pending, 0)
    w.add(id, T0 + 5, T0 + 5, 2, 'add')
    // another object with the same identity finds the entry; a different field does not
    assert.equal(w.merge({ ...id }, T0, T0 + 9, 3, 'add', 60, 60), true)
    assert.equal(w.merge({ ...id, origin: 2 }, T0, T0, 1, 'add'), false)
    assert.equal(w.merge({ ...id, bailiwick: 'example' }, T0, T0, 1, 'add'), false)
    assert.equal(w.merge({ ...id, rrtype: 28 }, T0, T0, 1, 'add'), false)
    assert.equal(w.merge({ ...id, kind: 'nodata' }, T0, T0, 1, 'add'), false)
    assert.equal(w.merge({ ...id, rdata: '192.0.2.2' }, T0, T0, 1, 'add'), false)
    assert.equal(w.merge({ ...id }, T0 + 1, T0 + 1, 1, 'add', 30, 30), true)
    assert.equal(w.merge({ ...id }, T0 + 1, T0 + 1, 7, 'max'), true)
    w.stop()
    assert.equal(s.updates.length, 1)
    assert.deepEqual(s.updates[0]!.value, { first: T0, last: T0 + 9, count: 7 })
    assert.deepEqual(s.updates[0]!.ttl, { min: 30, max: 60 })
  })
})

describe('recorder', () => {
  it('gives the window what adding every observation would give, and counts the same', () => {
    const rand = prng(0x7265_6364)
    const names = ['a.example', 'b.example', 'x.a.example', 'bad..name', 'c.example']
    const rdatas = ['192.0.2.1', '192.0.2.2', '198.51.100.7']
    const fast = sink()
    const slow = sink()
    const wf = new AggregationWindow(fast, { flushIntervalMs: 0 })
    const ws = new AggregationWindow(slow, { flushIntervalMs: 0 })
    const rec = new Recorder({ window: wf }, 3)
    const counts: Record<string, number> = {}
    const inc = (k: string) => {
      counts[k] = (counts[k] ?? 0) + 1
    }
    for (let i = 0; i < 4000; i++) {
      const rrname = names[randInt(rand, names.length)]!
      const kind = (['rr', 'rr', 'rr', 'nxdomain', 'nodata'] as const)[randInt(rand, 5)]!
      const bailiwick = [null, 'example', 'a.example', 'bad..zone'][randInt(rand, 4)]!
      const time = randInt(rand, 50) === 0 ? -1e6 : (T0 + randInt(rand, 100)) * 1e6
      const ttl = [null, 0, 60, 3600, -5, 2 ** 33][randInt(rand, 6)]!
      const rrtype = ['A', 'AAAA', 'TYPE65280', 'BOGUS'][randInt(rand, 4)]!
      const rrclass = randInt(rand, 20) === 0 ? 'CH' : 'IN'
      const rdata = kind === 'rr' ? rdatas[randInt(rand, rdatas.length)]! : null
      const o = obs({ kind, rrname, bailiwick, time, ttl, rrtype, rrclass, rdata })
      rec.observe(o)
      // the rules, applied the slow way: every check, then add()
      if (rrclass !== 'IN') inc('skipped.class')
      else if (rrtype === 'BOGUS') inc('skipped.type')
      else if (rrname === 'bad..name' || bailiwick === 'bad..zone') inc('skipped.name')
      else if (time < 0) inc('skipped.time')
      else {
        const id: RecordId = {
          kind,
          rrname,
          rrtype: rrtype === 'A' ? 1 : rrtype === 'AAAA' ? 28 : 65280,
          bailiwick,
          rdata: rdata ?? '',
          origin: 3,
        }
        const t = time / 1e6
        const ok = ttl !== null && ttl >= 0 && ttl <= 0xffffffff
        ws.add(id, t, t, 1, 'add', ok ? { min: ttl, max: ttl } : undefined)
        inc('records')
      }
    }
    wf.stop()
    ws.stop()
    assert.deepEqual(rec.counters.toJSON(), counts)
    assert.deepEqual(fast.updates, slow.updates)
    assert.ok(fast.updates.length > 20)
  })
})
