/**
 * Retention (node/store/expiry.ts) over a real store on disk: records across times and origins are
 * written by Store.apply, expiry runs with a fixed clock, and what is left is compared with what
 * should be, index by index, with `pdns-mesh check`'s own runner.
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { AggregationWindow } from '../../node/ingest/window.ts'
import { checkStore } from '../../node/store/check/index.ts'
import { Expiry, type ExpirySource, type Retention } from '../../node/store/expiry.ts'
import {
  DOMAIN_RANGE,
  decodeDomainKey,
  decodeFwdKey,
  decodeRrsetKey,
  FWD_RANGE,
  type RecordId,
  RRSET_RANGE,
  rrsetKey,
  TAG_SEEN,
} from '../../node/store/keys.ts'
import { registeredDomain } from '../../node/store/registered-domain.ts'
import { type RecordUpdate, Store } from '../../node/store/store.ts'
import { decodeValue } from '../../node/store/value.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { checkIndexes, tempDir } from './helpers.ts'

const DAY = 86_400
const NOW = 1_800_000_000
const SELF = `12D3KooW${'A'.repeat(44)}`
const PEER = `12D3KooW${'B'.repeat(44)}`
/** own capture, an own dnstap feed, an import, a peer and a peer's resolver */
const LABELS = [SELF, `${SELF}/unbound`, 'cof:sensor1', PEER, `${PEER}/bind`]
const isRemote = (label: string) => label.startsWith(PEER)

let dir: { dir: string; cleanup: () => void }
let store: Store

beforeEach(async () => {
  dir = tempDir('expiry')
  store = await Store.open(dir.dir, { create: true })
})
afterEach(async () => {
  await store.close()
  dir.cleanup()
})

function expiry(
  retention: Retention,
  more: { pending?: (id: RecordId) => boolean; batchSize?: number } = {},
) {
  return new Expiry(
    { store, isRemote, now: () => NOW, ...(more.pending === undefined ? {} : { pending: more.pending }) },
    { retention, ...(more.batchSize === undefined ? {} : { batchSize: more.batchSize }) },
  )
}

/**
 * Seeded records over a few names per zone (so that names and types are shared by old and recent
 * records, and some zones keep nothing old), every origin, last_seen spread over 200 days, answers
 * and negative answers, TTLs on the node's own.
 */
function fill(seed: number, n: number): RecordUpdate[] {
  const rand = prng(seed)
  const updates: RecordUpdate[] = []
  const seen = new Set<string>()
  for (let i = 0; i < n; i++) {
    const label = LABELS[randInt(rand, LABELS.length)]!
    const zone = `z${randInt(rand, 12)}-test.com`
    const rrname = rand() < 0.2 ? zone : `h${randInt(rand, 4)}.${zone}`
    const negative = rand() < 0.15
    const rrtype = negative ? 1 : [1, 2, 16][randInt(rand, 3)]!
    const rdata = negative
      ? ''
      : rrtype === 1
        ? `192.0.2.${randInt(rand, 6)}`
        : rrtype === 2
          ? `ns${randInt(rand, 3)}.example.net`
          : `"t${randInt(rand, 3)}"`
    const id: RecordId = {
      kind: negative ? 'nxdomain' : 'rr',
      rrname,
      rrtype,
      bailiwick: rand() < 0.5 ? null : zone,
      rdata,
      origin: store.originId(label),
    }
    const k = rrsetKey(id).toString('hex')
    if (seen.has(k)) continue
    seen.add(k)
    const last = NOW - randInt(rand, 200 * DAY)
    const u: RecordUpdate = {
      id,
      value: { first: last - randInt(rand, 30 * DAY), last, count: 1 + randInt(rand, 9) },
      mode: 'add',
    }
    if (label.startsWith(SELF)) u.ttl = { min: 60, max: 300 }
    updates.push(u)
  }
  // a zone with only old records: its DOMAIN entry goes with them
  for (const [rrname, label] of [
    ['a.gone-test.com', SELF],
    ['gone-test.com', PEER],
  ] as const) {
    const id: RecordId = {
      kind: 'rr',
      rrname,
      rrtype: 1,
      bailiwick: null,
      rdata: '192.0.2.77',
      origin: store.originId(label),
    }
    updates.push({ id, value: { first: NOW - 300 * DAY, last: NOW - 250 * DAY, count: 1 }, mode: 'add' })
  }
  store.apply(updates)
  return updates
}

/** Every record as `hex key → value` (what must be left, compared byte for byte). */
function records(): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of store.range(RRSET_RANGE)) out.set(k.toString('hex'), v.toString('hex'))
  return out
}

function keysOf<T>(range: { gte: Buffer; lt: Buffer }, decode: (k: Buffer) => T): T[] {
  return [...store.range(range, { values: false })].map(([k]) => decode(k))
}

async function assertClean(): Promise<void> {
  const r = await checkStore(store)
  assert.equal(r.problems, 0, JSON.stringify(r.listed.slice(0, 5)))
  checkIndexes(store)
  // FWD: exactly the (name, type) pairs left; DOMAIN: exactly the registered domains of the names left
  const pairs = new Set<string>()
  const domains = new Set<string>()
  for (const [k] of store.range(RRSET_RANGE, { values: false })) {
    const id = decodeRrsetKey(k)!
    pairs.add(`${id.rrname} ${id.rrtype}`)
    const d = registeredDomain(id.rrname)
    if (d !== null) domains.add(d)
  }
  const fwd = keysOf(FWD_RANGE, (k) => decodeFwdKey(k)!).map((f) => `${f.rrname} ${f.rrtype}`)
  assert.deepEqual(fwd.sort(), [...pairs].sort())
  assert.deepEqual(keysOf(DOMAIN_RANGE, (k) => decodeDomainKey(k)!).sort(), [...domains].sort())
}

describe('retention', () => {
  test('exactly the records older than their origin class cutoff go, from every index; check stays clean', async () => {
    const all = fill(11, 600)
    const retention = { local: 100 * DAY, remote: 20 * DAY }
    const before = records()
    const keep = new Map(before)
    const expected: Record<string, number> = {}
    for (const u of all) {
      const label = store.originLabel(u.id.origin)
      const cut = NOW - (isRemote(label) ? retention.remote : retention.local)
      if (u.value.last < cut) {
        keep.delete(rrsetKey(u.id).toString('hex'))
        expected[label] = (expected[label] ?? 0) + 1
      }
    }
    // the seed makes every class expire something and keep something
    for (const l of LABELS) assert.ok((expected[l] ?? 0) > 0, `nothing of ${l} expires`)
    assert.ok(keep.size > 100)
    // small batches: passes span many turns and segment boundaries
    const e = expiry(retention, { batchSize: 7 })
    assert.ok(keysOf(DOMAIN_RANGE, (k) => decodeDomainKey(k)).includes('gone-test.com'))
    const r = await e.run()
    assert.ok(!keysOf(DOMAIN_RANGE, (k) => decodeDomainKey(k)).includes('gone-test.com'))
    assert.deepEqual(records(), keep, 'the records left are exactly those within retention, values untouched')
    assert.equal(r.expired, before.size - keep.size)
    assert.deepEqual(r.cutoffs, { local: NOW - 100 * DAY, remote: NOW - 20 * DAY })
    const s = e.stats()
    assert.deepEqual(s.byOrigin, expected)
    assert.equal(s.expired, r.expired)
    assert.equal(s.passes, 1)
    assert.equal(s.lastPass?.startedAt, NOW)
    await assertClean()
    // a second pass finds nothing: below the lower cutoff nothing is left, and the band (peers'
    // data between the two cutoffs) is read only from where the last pass left it
    const again = await e.run()
    assert.deepEqual([again.expired, again.examined], [0, 0])
  })

  test("retention_remote applies to peers' origins only; off for the node's own data keeps all of it", async () => {
    const all = fill(12, 300)
    const e = expiry({ local: null, remote: 30 * DAY })
    await e.run()
    const left = records()
    for (const u of all) {
      const label = store.originLabel(u.id.origin)
      const present = left.has(rrsetKey(u.id).toString('hex'))
      assert.equal(present, !isRemote(label) || u.value.last >= NOW - 30 * DAY, `${label} ${u.value.last}`)
    }
    assert.ok(Object.keys(e.stats().byOrigin).every(isRemote))
    await assertClean()
  })

  test('a record refreshed between the SEEN scan and the delete is kept, with its new last_seen', async () => {
    const id: RecordId = {
      kind: 'rr',
      rrname: 'old.z1-test.com',
      rrtype: 1,
      bailiwick: null,
      rdata: '192.0.2.1',
      origin: store.originId(SELF),
    }
    const other: RecordId = { ...id, rdata: '192.0.2.2' }
    store.apply([
      { id, value: { first: NOW - 300 * DAY, last: NOW - 200 * DAY, count: 1 }, mode: 'add' },
      { id: other, value: { first: NOW - 300 * DAY, last: NOW - 200 * DAY, count: 1 }, mode: 'add' },
    ])
    // the refreshing write lands while the SEEN scan is under way, after it read the record's entry
    let refreshed = false
    const racing: ExpirySource = {
      *range(range, options) {
        for (const entry of store.range(range, options)) {
          yield entry
          if (entry[0][0] === TAG_SEEN && !refreshed) {
            refreshed = true
            store.apply([{ id, value: { first: NOW - 10, last: NOW - 10, count: 1 }, mode: 'add' }])
          }
        }
      },
      getMany: (keys) => store.getMany(keys),
      originLabel: (o) => store.originLabel(o),
      apply: (u, o) => store.apply(u, o),
    }
    const e = new Expiry(
      { store: racing, isRemote, now: () => NOW },
      { retention: { local: 90 * DAY, remote: null } },
    )
    const r = await e.run()
    assert.ok(refreshed)
    assert.equal(r.expired, 1, 'the record that was not refreshed goes')
    const left = [...records()].map(([k, v]) => [
      decodeRrsetKey(Buffer.from(k, 'hex'))!.rdata,
      decodeValue(Buffer.from(v, 'hex')),
    ])
    assert.deepEqual(left, [['192.0.2.1', { first: NOW - 300 * DAY, last: NOW - 10, count: 2 }]])
    await assertClean()
  })

  test('a record whose newer sighting waits in the window is kept; the flush then moves its last_seen', async () => {
    const origin = store.originId(SELF)
    const id: RecordId = {
      kind: 'rr',
      rrname: 'w.z2-test.com',
      rrtype: 1,
      bailiwick: null,
      rdata: '192.0.2.9',
      origin,
    }
    store.apply([{ id, value: { first: NOW - 300 * DAY, last: NOW - 200 * DAY, count: 4 }, mode: 'add' }])
    const window = new AggregationWindow(store, { flushIntervalMs: 0 })
    window.add(id, NOW - 5, NOW - 5, 1, 'add')
    const e = expiry({ local: 90 * DAY, remote: null }, { pending: (x) => window.holds(x) })
    const r = await e.run()
    assert.equal(r.expired, 0)
    assert.equal(e.stats().keptPending, 1)
    window.flush()
    assert.equal(window.holds(id), false)
    const [value] = [...records().values()]
    // the whole history stays: first_seen and the count are not reset by a near miss
    assert.deepEqual(decodeValue(Buffer.from(value!, 'hex')), {
      first: NOW - 300 * DAY,
      last: NOW - 5,
      count: 5,
    })
    assert.equal((await e.run()).expired, 0)
    await assertClean()
  })

  test('stop() between batches leaves a whole store, and the next pass finishes the work', async () => {
    fill(13, 300)
    const e = expiry({ local: 50 * DAY, remote: 50 * DAY }, { batchSize: 5 })
    e.begin()
    for (let i = 0; i < 3; i++) assert.equal(e.step(), false)
    e.stop()
    await assertClean()
    const r = await e.run()
    assert.ok(r.expired > 0)
    for (const v of records().values()) assert.ok(decodeValue(Buffer.from(v, 'hex'))!.last >= NOW - 50 * DAY)
    await assertClean()
  })

  test('keeps() is the merge-time filter: within retention by origin class', () => {
    const e = expiry({ local: 100 * DAY, remote: 20 * DAY })
    assert.equal(e.keeps(SELF, NOW - 50 * DAY), true)
    assert.equal(e.keeps(PEER, NOW - 50 * DAY), false)
    assert.equal(e.keeps(PEER, NOW - 20 * DAY), true)
    assert.equal(e.keeps('cof:x', NOW - 101 * DAY), false)
    assert.equal(expiry({ local: null, remote: null }).keeps(PEER, 0), true)
  })
})
