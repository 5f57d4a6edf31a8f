import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { readCapture } from '../../node/capture/formats/index.ts'
import { DEFAULT_DNS_PORTS } from '../../node/capture/index.ts'
import { Recorder } from '../../node/ingest/recorder.ts'
import { AggregationWindow } from '../../node/ingest/window.ts'
import { Sensor } from '../../node/sensor/index.ts'
import {
  decodeRrsetKey,
  decodeSeenKey,
  FWD_RANGE,
  type RecordId,
  RRSET_RANGE,
  rdataKey,
  rrsetKey,
  SEEN_RANGE,
} from '../../node/store/keys.ts'
import { type RecordUpdate, Store } from '../../node/store/store.ts'
import { decodeValue, type MergeMode } from '../../node/store/value.ts'
import { parseOne, rawMessage, rr } from '../dns/helpers.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { checkIndexes, dump, pick, type Rand, randomRec, tempDir } from './helpers.ts'

const SEED = 0x6d65_7267
const SAMPLE = fileURLToPath(new URL('../fixtures/sample.pcap', import.meta.url))
const T0 = 1_700_000_000

const cleanups: (() => void)[] = []
after(() => {
  for (const c of cleanups) c()
})

/**
 * A new store in a temp dir with the origins registered in a fixed order: origin numbers are given in
 * registration order and are part of every key, so stores compared byte for byte must register alike.
 */
async function openStore(name: string): Promise<{ store: Store; local: number; peers: number[] }> {
  const { dir, cleanup } = tempDir(name)
  cleanups.push(cleanup)
  const store = await Store.open(dir, { create: true })
  const local = store.originId('local')
  const peers = [store.originId('peer-a'), store.originId('peer-b')]
  return { store, local, peers }
}

/** One window entry: an observation of the local origin ('add') or a copy of a peer's counter ('max'). */
interface Obs {
  id: RecordId
  first: number
  last: number
  count: number
  mode: MergeMode
}

/**
 * Two record sets over one pool: local observations (repeated within a set, so the window combines
 * them) and peers' cumulative copies; about half the records appear in both sets with other times and
 * counts, so merging moves first/last both ways and adds or maxes counts.
 */
function recordSets(rand: Rand, local: number, peers: number[]): [Obs[], Obs[]] {
  const pool = Array.from({ length: 400 }, () => randomRec(rand).id)
  const sets: [Obs[], Obs[]] = [[], []]
  for (const base of pool) {
    const foreign = rand() < 0.4
    const origin = foreign ? pick(rand, peers) : local
    const id = { ...base, origin }
    const where = pick(rand, [[0], [1], [0, 1], [0, 1]] as const)
    for (const s of where) {
      if (foreign) {
        const first = T0 + randInt(rand, 10_000)
        sets[s].push({
          id,
          first,
          last: first + randInt(rand, 10_000),
          count: 1 + randInt(rand, 1000),
          mode: 'max',
        })
      } else {
        for (let k = 1 + randInt(rand, 4); k > 0; k--) {
          const t = T0 + randInt(rand, 20_000)
          sets[s].push({ id, first: t, last: t, count: 1, mode: 'add' })
        }
      }
    }
  }
  return sets
}

function feed(window: AggregationWindow, set: readonly Obs[]): void {
  for (const o of set) window.add(o.id, o.first, o.last, o.count, o.mode)
}

describe('merge order independence', () => {
  it('A then B, B then A and A+B in one window give byte-identical databases', async () => {
    const stores = await Promise.all(['ab', 'ba', 'both'].map(openStore))
    // same seed, same origin numbers: the three stores get the same sets
    const [a, b] = recordSets(prng(SEED), stores[0]!.local, stores[0]!.peers)
    for (const s of stores) assert.deepEqual([s.local, ...s.peers], [stores[0]!.local, ...stores[0]!.peers])

    const ab = new AggregationWindow(stores[0]!.store, { flushIntervalMs: 0 })
    feed(ab, a)
    ab.stop()
    feed(ab, b)
    ab.stop()
    const ba = new AggregationWindow(stores[1]!.store, { flushIntervalMs: 0 })
    feed(ba, b)
    ba.stop()
    feed(ba, a)
    ba.stop()
    const both = new AggregationWindow(stores[2]!.store, { flushIntervalMs: 0 })
    feed(both, a)
    feed(both, b)
    both.stop()
    assert.equal(both.stats().flushes, 1)
    assert.ok(ab.stats().updated > 0, 'the second set updated records of the first')

    const dumps = stores.map((s) => dump(s.store))
    assert.ok(dumps[0]!.length > 1000)
    assert.deepEqual(dumps[1], dumps[0], 'B then A differs from A then B')
    assert.deepEqual(dumps[2], dumps[0], 'A+B in one window differs from A then B')
    for (const s of stores) {
      const summary = checkIndexes(s.store)
      assert.ok(summary.rrsets > 300 && summary.positives > 0 && summary.positives < summary.rrsets)
      await s.store.close()
    }
  })

  it('importing the same foreign copy twice changes nothing and says so', async () => {
    const { store, peers } = await openStore('twice')
    const rand = prng(SEED + 1)
    const copy: RecordUpdate[] = Array.from({ length: 300 }, () => {
      const first = T0 + randInt(rand, 1000)
      return {
        id: randomRec(rand, { origin: peers[0]! }).id,
        value: { first, last: first + randInt(rand, 1000), count: 1 + randInt(rand, 100) },
        mode: 'max' as const,
      }
    })
    // one record once per copy: the pool may repeat a key by chance
    const distinct = [...new Map(copy.map((u) => [rrsetKey(u.id).toString('hex'), u])).values()]
    const first = store.apply(distinct)
    assert.deepEqual(first, { inserted: distinct.length, updated: 0, unchanged: 0 })
    const before = dump(store)
    const again = store.apply(distinct)
    assert.deepEqual(again, { inserted: 0, updated: 0, unchanged: distinct.length })
    assert.deepEqual(dump(store), before)
    // a smaller (older) copy of the same counters changes nothing either
    const older = distinct.map((u) => ({ ...u, value: { ...u.value, count: 1 } }))
    assert.equal(store.apply(older).unchanged, distinct.length)
    assert.deepEqual(dump(store), before)
    checkIndexes(store)
    await store.close()
  })

  it('counts add for the local origin and take the larger for a copy, through the store', async () => {
    const { store, local, peers } = await openStore('counts')
    const id = (origin: number): RecordId => ({
      kind: 'rr',
      rrname: 'www.example',
      rrtype: 1,
      bailiwick: null,
      rdata: '192.0.2.1',
      origin,
    })
    const value = (origin: number) => decodeValue(store.getMany([rrsetKey(id(origin))])[0]!)
    for (const count of [3, 5, 2]) {
      store.apply([{ id: id(local), value: { first: T0, last: T0, count }, mode: 'add' }])
      store.apply([{ id: id(peers[0]!), value: { first: T0, last: T0, count }, mode: 'max' }])
    }
    assert.equal(value(local)?.count, 10)
    assert.equal(value(peers[0]!)?.count, 5)
    await store.close()
  })
})

describe('index upkeep', () => {
  it('keeps one SEEN entry per record and origin, at the current last_seen', async () => {
    const { store, local, peers } = await openStore('seen')
    const rand = prng(SEED + 2)
    const ids = Array.from(
      { length: 200 },
      () => randomRec(rand, { origin: pick(rand, [local, ...peers]) }).id,
    )
    const distinct = [...new Map(ids.map((id) => [rrsetKey(id).toString('hex'), id])).values()]
    // rounds of observations that move last_seen forward, backward (no change) and not at all
    for (let round = 0; round < 6; round++) {
      const updates = distinct
        .filter(() => rand() < 0.6)
        .map((id) => {
          const t = T0 + randInt(rand, 100_000)
          return {
            id,
            value: { first: t, last: t, count: 1 },
            mode: id.origin === local ? 'add' : 'max',
          } as const
        })
      store.apply(updates)
      const summary = checkIndexes(store)
      assert.equal(summary.seen, summary.rrsets)
    }
    // one record by hand: SEEN follows last_seen, not first_seen, and never duplicates
    const one = distinct[0]!
    const key = rrsetKey(one)
    const mode = one.origin === local ? 'add' : 'max'
    const seenOf = () =>
      [...store.range(SEEN_RANGE, { values: false })]
        .map(([k]) => decodeSeenKey(k)!)
        .filter((s) => s.rrset.equals(key))
        .map((s) => s.lastSeen)
    store.apply([{ id: one, value: { first: T0 + 500_000, last: T0 + 500_000, count: 1 }, mode }])
    assert.deepEqual(seenOf(), [T0 + 500_000])
    store.apply([{ id: one, value: { first: T0 - 5, last: T0 - 5, count: 1 }, mode }])
    assert.deepEqual(seenOf(), [T0 + 500_000])
    store.apply([{ id: one, value: { first: T0 + 600_000, last: T0 + 600_000, count: 1 }, mode }])
    assert.deepEqual(seenOf(), [T0 + 600_000])
    assert.equal(decodeValue(store.getMany([key])[0]!)?.first, T0 - 5)
    checkIndexes(store)
    await store.close()
  })

  it('writes one FWD entry per (name, type) and RDATA entries with their record value', async () => {
    const { store, local, peers } = await openStore('fwd')
    const base: RecordId = {
      kind: 'rr',
      rrname: 'mail.example',
      rrtype: 15,
      bailiwick: null,
      rdata: '10 mx1.example',
      origin: local,
    }
    const variants: RecordId[] = [
      base,
      { ...base, rdata: '20 mx2.example' },
      { ...base, origin: peers[0]! },
      { ...base, bailiwick: 'example' },
      { ...base, kind: 'nodata', rdata: '' },
      { ...base, rrtype: 1, rdata: '192.0.2.25' },
    ]
    store.apply(variants.map((id) => ({ id, value: { first: T0, last: T0, count: 1 }, mode: 'add' })))
    store.apply([{ id: base, value: { first: T0 + 9, last: T0 + 9, count: 4 }, mode: 'add' }])
    assert.equal([...store.range(FWD_RANGE)].length, 2)
    for (const id of variants.filter((v) => v.kind === 'rr')) {
      const [rr, rd] = store.getMany([rrsetKey(id), rdataKey(id)])
      assert.ok(rr !== undefined && rd !== undefined && rr.equals(rd), JSON.stringify(id))
    }
    assert.deepEqual(decodeValue(store.getMany([rdataKey(base)])[0]!), { first: T0, last: T0 + 9, count: 5 })
    assert.equal([...store.range(RRSET_RANGE)].length, variants.length)
    checkIndexes(store)
    await store.close()
  })
})

describe('the capture path into the store', () => {
  interface Frame {
    linkType: number
    bytes: Uint8Array
    origLen: number
    tsUs: number
  }

  async function frames(): Promise<Frame[]> {
    const out: Frame[] = []
    await readCapture(SAMPLE, (linkType, buf, off, capLen, origLen, tsUs) => {
      // the reader reuses its buffer: keep a copy
      out.push({ linkType, bytes: buf.slice(off, off + capLen), origLen, tsUs })
    })
    return out
  }

  /** One sensor per half, so every scenario sees the same observations (no TCP stream spans halves). */
  function sense(half: readonly Frame[], recorder: Recorder): void {
    const sensor = new Sensor({ ports: DEFAULT_DNS_PORTS, clientAddresses: false }, recorder.observe)
    for (const f of half) sensor.onFrame(f.linkType, f.bytes, 0, f.bytes.length, f.origLen, f.tsUs)
    sensor.flush()
  }

  it('Sensor → Recorder → window → Store on sample.pcap: halves in either order or together, same bytes', async () => {
    const all = await frames()
    assert.ok(all.length > 4)
    const halves = [all.slice(0, all.length >> 1), all.slice(all.length >> 1)] as const
    const order = { ab: [[0], [1]], ba: [[1], [0]], both: [[0, 1]] } as const
    const dumps: string[][] = []
    for (const [name, flushes] of Object.entries(order)) {
      const { store, local } = await openStore(`pcap-${name}`)
      const window = new AggregationWindow(store, { flushIntervalMs: 0 })
      const recorder = new Recorder({ window }, local)
      for (const group of flushes) {
        for (const h of group) sense(halves[h]!, recorder)
        window.stop()
      }
      assert.ok(recorder.counters.get('records') > 5)
      const summary = checkIndexes(store)
      assert.ok(summary.rrsets > 5 && summary.positives < summary.rrsets, 'positives and negatives stored')
      dumps.push(dump(store))
      await store.close()
    }
    assert.deepEqual(dumps[1], dumps[0], 'B then A differs from A then B')
    assert.deepEqual(dumps[2], dumps[0], 'A+B together differs from A then B')
  })

  it('stores a malformed A record from the wire as what was seen, not as an address', async () => {
    // RDLENGTH 0: the parser writes `\# 0` (and counts rdata.malformed:A); the Recorder keeps it
    const { obs } = parseOne(rawMessage({ an: [rr([0xc0, 12], 1, 1, 60, [])] }))
    assert.equal(obs[0]!.rdata, '\\# 0')
    const { store, local } = await openStore('malformed-a')
    const window = new AggregationWindow(store, { flushIntervalMs: 0 })
    const recorder = new Recorder({ window }, local)
    for (const o of obs) recorder.observe(o)
    window.stop()
    const stored = [...store.range(RRSET_RANGE)].map(([k]) => decodeRrsetKey(k)!.rdata)
    assert.deepEqual(stored, ['\\# 0'], 'a record that was never seen (92.35.32.48) is in the database')
    await store.close()
  })
})
