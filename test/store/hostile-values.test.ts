/**
 * Values the store cannot hold are refused or counted, never wrapped into wrong bytes: capture
 * clocks outside the u32 seconds range, COF strings that two different lines would spell the same
 * way, control characters in COF rdata, and two updates of one key in one batch.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import type { Observation } from '../../node/dns/observation.ts'
import { PdnsError } from '../../node/errors.ts'
import { parseCofLine } from '../../node/ingest/cof.ts'
import { Recorder } from '../../node/ingest/recorder.ts'
import { AggregationWindow } from '../../node/ingest/window.ts'
import { type RecordId, RRSET_RANGE } from '../../node/store/keys.ts'
import { Store } from '../../node/store/store.ts'
import { decodeValue } from '../../node/store/value.ts'
import { aRecord, checkIndexes, dump, tempDir } from './helpers.ts'

function obs(timeUs: number): Observation {
  return {
    kind: 'rr',
    time: timeUs,
    rrname: 'www.example.com',
    rrtype: 'A',
    rrclass: 'IN',
    rdata: '192.0.2.1',
    ttl: 60,
    section: 'answer',
    rcode: 'NOERROR',
    qname: 'www.example.com',
    qtype: 'A',
    bailiwick: null,
    transport: 'udp',
    client: null,
  }
}

describe('values the store cannot hold', () => {
  const tmp = tempDir('hostile-values')
  after(() => tmp.cleanup())

  it('counts observations whose capture time is before 1970 or after 2106 instead of storing them', async () => {
    const store = await Store.open(`${tmp.dir}/times`, { create: true })
    try {
      const window = new AggregationWindow(store, { flushIntervalMs: 0 })
      const rec = new Recorder({ window }, store.originId('local'))
      rec.observe(obs(-5_000_000))
      rec.observe(obs(2 ** 32 * 1e6))
      rec.observe(obs(1_700_000_000 * 1e6))
      window.stop()
      assert.equal(rec.counters.get('skipped.time'), 2)
      assert.equal(rec.counters.get('records'), 1)
      assert.equal(checkIndexes(store).rrsets, 1)
    } finally {
      await store.close()
    }
  })

  it('refuses to write a value with negative, fractional or reversed times, or a zero count', async () => {
    const store = await Store.open(`${tmp.dir}/guard`, { create: true })
    try {
      const id = aRecord('a.example', { origin: store.originId('o') })
      const before = dump(store)
      for (const value of [
        { first: -1, last: 5, count: 1 },
        { first: 1.5, last: 5, count: 1 },
        { first: 9, last: 5, count: 1 },
        { first: 1, last: 2 ** 32, count: 1 },
        { first: 1, last: 5, count: 0 },
      ]) {
        assert.throws(
          () => store.apply([{ id, value, mode: 'add' }]),
          (e: unknown) => e instanceof PdnsError && e.code === 'ERR_BAD_RECORD',
        )
      }
      assert.deepEqual(dump(store), before)
    } finally {
      await store.close()
    }
  })

  it('merges two updates of one key in one batch instead of letting the second overwrite the first', async () => {
    const store = await Store.open(`${tmp.dir}/dup`, { create: true })
    try {
      const origin = store.originId('o')
      const id: RecordId = { kind: 'rr', rrname: 'c.com', rrtype: 16, bailiwick: null, rdata: '"x"', origin }
      const r = store.apply([
        { id, value: { first: 20, last: 30, count: 5 }, mode: 'max' },
        { id: { ...id }, value: { first: 10, last: 40, count: 3 }, mode: 'max' },
      ])
      assert.equal(r.inserted, 1)
      const s = checkIndexes(store)
      assert.equal(s.rrsets, 1)
      assert.equal(s.seen, 1)
      const values = [...store.range(RRSET_RANGE)].map(([, v]) => decodeValue(v))
      assert.deepEqual(values, [{ first: 10, last: 40, count: 5 }])
    } finally {
      await store.close()
    }
  })

  it('refuses COF strings with lone surrogates, which would be stored as the same bytes as U+FFFD', () => {
    const base = { rrname: 'c.com', rrtype: 'TXT', time_first: 10, time_last: 20 }
    const lone = parseCofLine(JSON.stringify({ ...base, rdata: ['\ud800'] }))
    assert.ok(lone instanceof PdnsError && lone.code === 'ERR_BAD_RECORD', String(lone))
    const sensor = parseCofLine(JSON.stringify({ ...base, rdata: ['"x"'], sensor_id: '\udc00' }))
    assert.ok(sensor instanceof PdnsError && sensor.code === 'ERR_BAD_RECORD', String(sensor))
    const ok = parseCofLine(JSON.stringify({ ...base, rdata: ['\ufffd'] }))
    assert.ok(!(ok instanceof PdnsError))
  })

  it('stores control characters of COF rdata in the parser\u2019s \\DDD form, never raw', () => {
    const recs = parseCofLine(
      JSON.stringify({
        rrname: 't.com',
        rrtype: 'TXT',
        rdata: ['"a\nb\u001b[31m"'],
        time_first: 1,
        time_last: 2,
      }),
    )
    assert.ok(!(recs instanceof PdnsError), String(recs))
    assert.equal(recs[0]!.rdata, '"a\\010b\\027[31m"')
  })
})
