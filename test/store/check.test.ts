/**
 * The integrity check against stores built by the real write path (captures and COF through the
 * aggregation window, seeded random records through Store.apply), then damaged one way at a time
 * with the rocks layer, as a crash, a bug or a disk could leave them.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { PdnsError } from '../../node/errors.ts'
import { importCapture, importCof } from '../../node/ingest/index.ts'
import { AggregationWindow } from '../../node/ingest/window.ts'
import { type CheckResult, checkDataDir, checkStore } from '../../node/store/check/index.ts'
import {
  decodeFirstKey,
  decodeRrsetKey,
  decodeSeenKey,
  FIRST_RANGE,
  FWD_RANGE,
  firstKey,
  fwdKey,
  metaKey,
  originLabelKey,
  RDATA_RANGE,
  type RecordId,
  RRSET_RANGE,
  rdataKey,
  rrsetKey,
  SCHEMA_VERSION,
  SEEN_RANGE,
  seenKey,
} from '../../node/store/keys.ts'
import { MAX_CHECK_PROBLEMS_LISTED } from '../../node/store/limits.ts'
import { Rocks, type Write } from '../../node/store/rocks.ts'
import { type RecordUpdate, Store } from '../../node/store/store.ts'
import { decodeValue, encodeValue } from '../../node/store/value.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { REPO } from '../helpers/run-cli.ts'
import { CORPUS_DIR, corpusCaptures, requireCorpus } from '../helpers/shared.ts'
import { checkIndexes, dump, randomRec, tempDir } from './helpers.ts'

const SAMPLE = join(REPO, 'test/fixtures/sample.pcap')
const NODE = join(REPO, 'node_modules/.bin/node')
const HOLDER = fileURLToPath(new URL('./fixtures/hold-store.ts', import.meta.url))

/** COF lines of two sensors; the second file moves some records' last_seen (a SEEN entry replaced). */
const COF_A = [
  { rrname: 'www.example.com', rrtype: 'A', rdata: '192.0.2.1', time_first: 1000, time_last: 2000, count: 3 },
  {
    rrname: 'example.com',
    rrtype: 'MX',
    rdata: '10 mx.example.com',
    time_first: 1000,
    time_last: 1500,
    count: 1,
  },
  {
    rrname: 'example.com',
    rrtype: 'NS',
    rdata: 'ns1.example.net',
    time_first: 900,
    time_last: 900,
    count: 2,
  },
  {
    rrname: 'nx.example.com',
    rrtype: 'A',
    rdata: '',
    negative: 'nxdomain',
    time_first: 1000,
    time_last: 1000,
    count: 1,
  },
]
const COF_B = [
  { rrname: 'www.example.com', rrtype: 'A', rdata: '192.0.2.1', time_first: 1000, time_last: 5000, count: 7 },
  {
    rrname: 'example.com',
    rrtype: 'TXT',
    rdata: '"v=spf1 -all"',
    time_first: 3000,
    time_last: 3000,
    count: 1,
  },
]

function cofFile(dir: string, name: string, sensor: string, lines: object[]): string {
  const file = join(dir, name)
  writeFileSync(file, lines.map((l) => `${JSON.stringify({ ...l, sensor_id: sensor })}\n`).join(''))
  return file
}

/** A data directory filled by real imports: a capture, then COF of two sensors, one updated later. */
async function importedStore(): Promise<{ dir: string; cleanup: () => void }> {
  const t = tempDir('check')
  const store = await Store.open(t.dir, { create: true })
  try {
    const window = new AggregationWindow(store, { flushIntervalMs: 0 })
    const r = await importCapture(SAMPLE, {
      store,
      window,
      origin: 'node-a',
      sensorOptions: { ports: new Set([53]), clientAddresses: false },
    })
    assert.equal(r.error, null)
    for (const [file, sensor, lines] of [
      ['a.cof', 'east', COF_A],
      ['b.cof', 'west', COF_A],
      ['c.cof', 'east', COF_B],
    ] as const) {
      const c = await importCof(cofFile(t.dir, file, sensor, [...lines]), { store, window })
      assert.equal(c.badLines, 0)
      window.flush()
    }
    window.stop()
  } finally {
    await store.close()
  }
  return t
}

/** Opens the database with the rocks layer alone (no Store checks), applies `damage`, closes it. */
async function damage(dir: string, fn: (rocks: Rocks) => Write[]): Promise<void> {
  const rocks = await Rocks.open(join(dir, 'db'))
  try {
    rocks.write(fn(rocks), { sync: true })
  } finally {
    await rocks.close()
  }
}

/** The records of the store as [key, id, value], read with the rocks layer. */
function records(rocks: Rocks): { key: Buffer; id: RecordId; value: Buffer }[] {
  const out: { key: Buffer; id: RecordId; value: Buffer }[] = []
  for (const [key, value] of rocks.range(RRSET_RANGE)) out.push({ key, id: decodeRrsetKey(key)!, value })
  return out
}

function findRecord(rocks: Rocks, pred: (id: RecordId) => boolean) {
  const r = records(rocks).find((x) => pred(x.id))
  assert.ok(r !== undefined, 'the imported store lacks the record the test damages')
  return r
}

/** origins are numbered on first use: node-a (the capture) 1, cof:east 2, cof:west 3 */
const EAST = 2
const wwwEast = (id: RecordId) => id.rrname === 'www.example.com' && id.rrtype === 1 && id.origin === EAST
const nxEast = (id: RecordId) =>
  id.kind === 'nxdomain' && id.rrname === 'nx.example.com' && id.origin === EAST

function kinds(r: CheckResult): Record<string, number> {
  return { ...r.byKind }
}

describe('a store filled by real imports', () => {
  it('passes the check, and the check agrees with the test model of the indexes', async (t) => {
    const { dir, cleanup } = await importedStore()
    t.after(cleanup)
    const store = await Store.open(dir, { readOnly: true })
    const model = checkIndexes(store)
    const before = dump(store)
    await store.close()
    const r = await checkDataDir(dir)
    assert.deepEqual(kinds(r), {})
    assert.equal(r.problems, 0)
    assert.deepEqual(r.listed, [])
    assert.equal(r.counts.records, model.rrsets)
    assert.equal(r.counts.records - r.counts.negatives, model.positives)
    assert.equal(r.counts.rdata, model.rdata)
    assert.equal(r.counts.fwd, model.fwd)
    assert.equal(r.counts.names, model.fwd)
    assert.equal(r.counts.seen, model.seen)
    assert.equal(r.counts.origins, 3) // node-a, cof:east, cof:west
    // it reads, never writes
    const after = await Store.open(dir, { readOnly: true })
    assert.deepEqual(dump(after), before)
    await after.close()
  })

  test('from the shared corpus captures passes the check', async (t) => {
    if (!requireCorpus(t, 'check of a store built from the corpus')) return
    const { dir, cleanup } = tempDir('check-corpus')
    t.after(cleanup)
    const store = await Store.open(dir, { create: true })
    const window = new AggregationWindow(store, { flushIntervalMs: 0 })
    const captures = corpusCaptures()
    for (const rel of captures.slice(0, 40)) {
      await importCapture(join(CORPUS_DIR, rel), {
        store,
        window,
        origin: 'corpus',
        sensorOptions: { ports: new Set([53, 5353, 5355]), clientAddresses: false },
      })
      window.flush()
    }
    window.stop()
    const r = await checkStore(store)
    const model = checkIndexes(store)
    await store.close()
    assert.deepEqual(kinds(r), {})
    assert.ok(r.counts.records > 100, `only ${r.counts.records} records from the corpus`)
    assert.equal(r.counts.records, model.rrsets)
    assert.equal(r.counts.seen, model.seen)
  })
})

describe('each kind of damage is found and named', () => {
  const cases: {
    name: string
    damage: (rocks: Rocks) => Write[]
    expect: Record<string, number>
    /** a word the first listed problem's message must hold */
    mentions: string
  }[] = [
    {
      name: "an answer's RDATA entry deleted",
      damage: (rocks) => [{ del: rdataKey(findRecord(rocks, wwwEast).id) }],
      expect: { 'missing-rdata': 1 },
      mentions: 'www.example.com A 192.0.2.1 (origin cof:east): no RDATA entry',
    },
    {
      name: 'a FWD entry deleted',
      damage: () => [{ del: fwdKey('example.com', 15) }],
      expect: { 'missing-fwd': 1 },
      mentions: 'example.com MX: no FWD entry',
    },
    {
      name: "a record's SEEN entry deleted",
      damage: (rocks) => {
        const r = findRecord(rocks, wwwEast)
        return [{ del: seenKey(decodeValue(r.value)!.last, r.key) }]
      },
      expect: { 'missing-seen': 1 },
      mentions: 'no SEEN entry at its last_seen 5000',
    },
    {
      name: 'an old SEEN entry left behind (the delete of apply lost)',
      damage: (rocks) => [{ put: seenKey(2000, findRecord(rocks, wwwEast).key), value: Buffer.alloc(0) }],
      expect: { 'stale-seen': 1 },
      mentions: 'SEEN entry at 2000 of www.example.com A 192.0.2.1 (origin cof:east), last seen 5000',
    },
    {
      name: 'an orphan RDATA entry added',
      damage: (rocks) => {
        const id = { ...findRecord(rocks, wwwEast).id, rdata: '192.0.2.99' }
        return [{ put: rdataKey(id), value: encodeValue({ first: 1, last: 2, count: 1 }) }]
      },
      expect: { 'orphan-rdata': 1 },
      mentions: 'RDATA entry of www.example.com A 192.0.2.99',
    },
    {
      name: 'an orphan FWD entry added',
      damage: () => [{ put: fwdKey('ghost.example.org', 28), value: Buffer.alloc(0) }],
      expect: { 'orphan-fwd': 1 },
      mentions: 'FWD entry of ghost.example.org AAAA: no such record',
    },
    {
      name: 'an orphan SEEN entry added',
      damage: (rocks) => {
        const id = { ...findRecord(rocks, wwwEast).id, rrname: 'gone.example.com' }
        return [{ put: seenKey(4242, rrsetKey(id)), value: Buffer.alloc(0) }]
      },
      expect: { 'orphan-seen': 1 },
      mentions: 'SEEN entry at 4242 of gone.example.com A',
    },
    {
      name: "a negative answer's value corrupted",
      damage: (rocks) => [{ put: findRecord(rocks, nxEast).key, value: Buffer.from([9, 9, 9, 9]) }],
      expect: { 'bad-value': 1 },
      mentions: 'nx.example.com A NXDOMAIN (origin cof:east): value 09090909 does not decode',
    },
    {
      name: "an answer's value corrupted (its RDATA copy then differs too)",
      damage: (rocks) => [{ put: findRecord(rocks, wwwEast).key, value: Buffer.from([1, 0xff]) }],
      expect: { 'bad-value': 1, 'rdata-mismatch': 1 },
      mentions: 'does not decode',
    },
    {
      name: 'an impossible value (first after last)',
      damage: (rocks) => {
        const r = findRecord(rocks, nxEast)
        return [{ put: r.key, value: encodeValue({ first: 1000, last: 10, count: 1 }) }]
      },
      // its SEEN entry cannot be judged against a value that cannot be
      expect: { 'bad-value': 1 },
      mentions: 'is impossible',
    },
    {
      name: "an RDATA entry whose value is not its record's",
      damage: (rocks) => [
        { put: rdataKey(findRecord(rocks, wwwEast).id), value: encodeValue({ first: 1, last: 2, count: 3 }) },
      ],
      expect: { 'rdata-mismatch': 1 },
      mentions: 'RDATA entry holds',
    },
    {
      name: 'a record of an origin that is not registered (with all its index entries)',
      damage: (rocks) => {
        const r = findRecord(rocks, wwwEast)
        const id = { ...r.id, origin: 77 }
        const key = rrsetKey(id)
        return [
          { put: key, value: r.value },
          { put: rdataKey(id), value: r.value },
          { put: seenKey(decodeValue(r.value)!.last, key), value: Buffer.alloc(0) },
          { put: firstKey(decodeValue(r.value)!.first, key), value: Buffer.alloc(0) },
        ]
      },
      expect: { 'unknown-origin': 1 },
      mentions: 'origin 77 is not registered',
    },
    {
      name: 'an ORIGIN# entry deleted',
      damage: () => [{ del: originLabelKey('cof:west') }],
      expect: { origin: 1 },
      mentions: '"cof:west" has no ORIGIN# entry',
    },
    {
      name: 'the schema version deleted',
      damage: () => [{ del: metaKey('schema') }],
      expect: { schema: 1 },
      mentions: 'no schema version',
    },
    {
      name: 'a key that does not decode in each table, and one of no table',
      damage: () => [
        { put: Buffer.from([0x10, 0x05, 0xff]), value: encodeValue({ first: 1, last: 1, count: 1 }) },
        { put: Buffer.from([0x11, 0x04, 1, 2]), value: Buffer.alloc(0) },
        { put: Buffer.from([0x12, 0x61]), value: Buffer.alloc(0) },
        { put: Buffer.from([0x13, 0, 0, 0, 1, 0x10]), value: Buffer.alloc(0) },
        { put: Buffer.from([0x07, 0x42]), value: Buffer.alloc(0) },
      ],
      expect: { 'bad-key': 4, 'unknown-key': 1 },
      mentions: 'RRSET key does not decode',
    },
  ]
  for (const c of cases) {
    it(`${c.name}: ${Object.keys(c.expect).join(', ')}`, async (t) => {
      const { dir, cleanup } = await importedStore()
      t.after(cleanup)
      assert.equal((await checkDataDir(dir)).problems, 0, 'the store is clean before the damage')
      await damage(dir, c.damage)
      const r = await checkDataDir(dir)
      assert.deepEqual(kinds(r), c.expect)
      const total = Object.values(c.expect).reduce((a, b) => a + b, 0)
      assert.equal(r.problems, total)
      assert.equal(r.listed.length, total)
      assert.ok(
        r.listed.some((p) => p.message.includes(c.mentions)),
        `no problem mentions ${JSON.stringify(c.mentions)}: ${JSON.stringify(r.listed)}`,
      )
      for (const p of r.listed) assert.match(p.key, /^[0-9a-f]+$/)
    })
  }
})

describe('seeded random stores', () => {
  /** Random records through Store.apply, some merged again with a later last_seen. */
  async function randomStore(seed: number, n: number) {
    const t = tempDir('check-rand')
    const rand = prng(seed)
    const store = await Store.open(t.dir, { create: true })
    for (const label of ['o1', 'o2', 'o3', 'o4']) store.originId(label)
    const ids: RecordId[] = []
    const updates: RecordUpdate[] = []
    for (let i = 0; i < n; i++) {
      const rec = randomRec(rand, { origin: 1 + randInt(rand, 4) })
      ids.push(rec.id)
      const first = 1_000_000 + randInt(rand, 1000)
      updates.push({ id: rec.id, value: { first, last: first + randInt(rand, 100), count: 1 }, mode: 'add' })
    }
    for (let i = 0; i < updates.length; i += 500) store.apply(updates.slice(i, i + 500))
    // move last_seen of a third of them: apply deletes their old SEEN entries
    const later = ids
      .filter(() => rand() < 0.33)
      .map((id) => ({
        id,
        value: { first: 2_000_000, last: 2_000_000 + randInt(rand, 50), count: 1 },
        mode: 'max' as const,
      }))
    for (let i = 0; i < later.length; i += 500) store.apply(later.slice(i, i + 500))
    return { ...t, store }
  }

  it('pass the check across batch boundaries, with the counts of the test model', async (t) => {
    const s = await randomStore(0xc4ec, 3000)
    t.after(async () => {
      await s.store.close()
      s.cleanup()
    })
    const model = checkIndexes(s.store)
    const r = await checkStore(s.store)
    assert.deepEqual(kinds(r), {})
    assert.equal(r.counts.records, model.rrsets)
    assert.ok(r.counts.records > 2048, 'more records than two batches')
    assert.equal(r.counts.rdata, model.rdata)
    assert.equal(r.counts.fwd, model.fwd)
    assert.equal(r.counts.names, model.fwd)
    assert.equal(r.counts.seen, model.seen)
  })

  for (const seed of [1, 2, 3]) {
    it(`random deletions are each found once, of the kind they leave (seed ${seed})`, async (t) => {
      const s = await randomStore(0x5eed + seed, 2500)
      t.after(s.cleanup)
      await s.store.close()
      const rand = prng(seed)
      const expected: Record<string, number> = {}
      const add = (kind: string) => {
        expected[kind] = (expected[kind] ?? 0) + 1
      }
      await damage(s.dir, (rocks) => {
        const writes: Write[] = []
        const pick = (range: typeof RDATA_RANGE, p: number) =>
          [...rocks.range(range, { values: false })].map(([k]) => k).filter(() => rand() < p)
        for (const k of pick(RDATA_RANGE, 0.01)) {
          writes.push({ del: k })
          add('missing-rdata')
        }
        for (const k of pick(FWD_RANGE, 0.01)) {
          writes.push({ del: k })
          add('missing-fwd')
        }
        const seenGone = new Set<string>()
        for (const k of pick(FIRST_RANGE, 0.01)) {
          writes.push({ del: k })
          seenGone.add(decodeFirstKey(k)!.rrset.toString('hex'))
          add('missing-first')
        }
        const orphanFwd = new Set<string>()
        for (const k of pick(SEEN_RANGE, 0.01)) {
          writes.push({ del: k })
          seenGone.add(decodeSeenKey(k)!.rrset.toString('hex'))
          add('missing-seen')
        }
        // whole records deleted, index entries left: each entry left is an orphan. Records with an
        // index entry already deleted are spared, so every deletion leaves exactly one known problem.
        const deletedIndex = new Set(
          writes.flatMap((w) => ('del' in w ? [Buffer.from(w.del).toString('hex')] : [])),
        )
        const untouched = (r: { key: Buffer; id: RecordId }) =>
          !seenGone.has(r.key.toString('hex')) &&
          !deletedIndex.has(fwdKey(r.id.rrname, r.id.rrtype).toString('hex')) &&
          (r.id.kind !== 'rr' || !deletedIndex.has(rdataKey(r.id).toString('hex')))
        const all = records(rocks)
        const deleted = all.filter((r) => untouched(r) && rand() < 0.01)
        const gone = new Set(deleted.map((r) => r.key.toString('hex')))
        for (const r of deleted) {
          writes.push({ del: r.key })
          if (r.id.kind === 'rr') add('orphan-rdata')
          add('orphan-seen')
          add('orphan-first')
          const others = all.some(
            (o) =>
              !gone.has(o.key.toString('hex')) && o.id.rrname === r.id.rrname && o.id.rrtype === r.id.rrtype,
          )
          // the last record of its name and type leaves its FWD entry orphaned (counted once per pair)
          const fwd = fwdKey(r.id.rrname, r.id.rrtype).toString('hex')
          if (!others && !orphanFwd.has(fwd)) {
            orphanFwd.add(fwd)
            add('orphan-fwd')
          }
        }
        return writes
      })
      const r = await checkDataDir(s.dir, { maxListed: 5 })
      assert.ok(Object.keys(expected).length >= 4, `too little damage: ${JSON.stringify(expected)}`)
      assert.deepEqual(kinds(r), expected)
      assert.equal(r.listed.length, 5)
    })
  }
})

describe('the check as a long-running job', () => {
  it('lists at most maxListed problems (the default bound included) and counts them all', async (t) => {
    const { dir, cleanup } = await importedStore()
    t.after(cleanup)
    const n = MAX_CHECK_PROBLEMS_LISTED + 50
    await damage(dir, () => {
      const writes: Write[] = []
      for (let i = 0; i < n; i++) writes.push({ put: fwdKey(`ghost${i}.example`, 1), value: Buffer.alloc(0) })
      return writes
    })
    const few = await checkDataDir(dir, { maxListed: 3 })
    assert.equal(few.problems, n)
    assert.deepEqual(kinds(few), { 'orphan-fwd': n })
    assert.equal(few.listed.length, 3)
    const all = await checkDataDir(dir)
    assert.equal(all.problems, n)
    assert.equal(all.listed.length, MAX_CHECK_PROBLEMS_LISTED)
  })

  it('reports progress through every phase and stops with ERR_ABORTED when its signal fires', async (t) => {
    const s = tempDir('check-abort')
    const store = await Store.open(s.dir, { create: true })
    t.after(async () => {
      await store.close()
      s.cleanup()
    })
    const rand = prng(7)
    const o = store.originId('o')
    store.apply(
      Array.from({ length: 5000 }, () => ({
        id: randomRec(rand, { origin: o }).id,
        value: { first: 5, last: 9, count: 1 },
        mode: 'add' as const,
      })),
    )
    const phases: string[] = []
    let lastScanned = 0
    const r = await checkStore(store, {
      onProgress: (p) => {
        if (phases.at(-1) !== p.phase) phases.push(p.phase)
        assert.ok(p.scanned >= lastScanned)
        lastScanned = p.scanned
      },
    })
    assert.equal(r.problems, 0)
    // no TTL phase: records applied without a TTL have no TTL entries, so no batch reports it
    assert.deepEqual(phases, ['origins', 'records', 'rdata', 'fwd', 'seen', 'first', 'other'])
    // every entry once: the records, the four indexes and the two origin tables (one entry each)
    assert.equal(
      lastScanned,
      r.counts.records + r.counts.rdata + r.counts.fwd + r.counts.seen + r.counts.first + 2,
    )

    const ac = new AbortController()
    await assert.rejects(
      checkStore(store, {
        signal: ac.signal,
        onProgress: (p) => {
          if (p.phase === 'rdata') ac.abort(new Error('enough'))
        },
      }),
      (err: unknown) => err instanceof PdnsError && err.code === 'ERR_ABORTED',
    )
    await assert.rejects(
      checkStore(store, { signal: AbortSignal.abort() }),
      (err: unknown) => err instanceof PdnsError && err.code === 'ERR_ABORTED',
    )
  })

  it('refuses a database held by a running node with ERR_DB_LOCKED, saying to stop it first', async (t) => {
    const { dir, cleanup } = await importedStore()
    const child = spawn(NODE, [HOLDER, dir], { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] })
    const closed = new Promise((resolve) => child.on('close', resolve))
    // the holder lets go (stdin closed) before its directory goes
    t.after(async () => {
      child.stdin.end()
      await closed
      cleanup()
    })
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        if (d.includes('ready')) resolve()
      })
      child.on('error', reject)
      child.on('close', () => reject(new Error('the holder exited early')))
    })
    await assert.rejects(checkDataDir(dir), (err: unknown) => {
      assert.ok(err instanceof PdnsError)
      assert.equal(err.code, 'ERR_DB_LOCKED')
      assert.match(err.message, /stop the node first/)
      return true
    })
  })

  it('refuses a missing database with ERR_DB_MISSING and creates nothing', async (t) => {
    const { dir, cleanup } = tempDir('check-missing')
    t.after(cleanup)
    await assert.rejects(
      checkDataDir(dir),
      (err: unknown) => err instanceof PdnsError && err.code === 'ERR_DB_MISSING',
    )
  })

  it('refuses a database of a newer schema untouched (ERR_DB_SCHEMA)', async (t) => {
    const { dir, cleanup } = await importedStore()
    t.after(cleanup)
    writeFileSync(join(dir, 'SCHEMA_VERSION'), `${SCHEMA_VERSION + 1}\n`)
    await assert.rejects(
      checkDataDir(dir),
      (err: unknown) => err instanceof PdnsError && err.code === 'ERR_DB_SCHEMA',
    )
  })
})
