/**
 * The native addon (node/store/native): batches written in one native call, sorted by key there,
 * must leave the same database as the binding's per-key calls, keep one key's operations in order,
 * and turn bad input into errors, never a crash or a partial write.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { rrsetKey } from '../../node/store/keys.ts'
import { nativeAddon, nativeAddonUnavailable } from '../../node/store/native/index.ts'
import { Rocks } from '../../node/store/rocks.ts'
import { type RecordUpdate, Store } from '../../node/store/store.ts'
import type { MergeMode } from '../../node/store/value.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { checkIndexes, dump, pick, randomRec, tempDir } from './helpers.ts'

const T0 = 1_700_000_000
const addon = nativeAddon()
const CI = process.env.CI === 'true'
const skip = addon === null ? `the native addon is not available: ${nativeAddonUnavailable()}` : false

const dirs: (() => void)[] = []
after(() => {
  for (const c of dirs) c()
})

async function openRocks(prefix: string, nativeAddon: boolean): Promise<Rocks> {
  const { dir, cleanup } = tempDir(prefix)
  dirs.push(cleanup)
  return Rocks.open(dir, { createIfMissing: true, nativeAddon })
}

function contents(db: Rocks): string[] {
  const out: string[] = []
  for (const [k, v] of db.range({})) out.push(`${k.toString('hex')}=${v.toString('hex')}`)
  return out
}

describe('writes through the native addon', () => {
  it('is built and loads (under CI; elsewhere this says why not)', { skip: !CI && skip }, () => {
    assert.ok(addon !== null, `the addon must be built under CI: ${nativeAddonUnavailable()}`)
  })

  it('writes the same keys as the per-key calls, one key’s operations in order', { skip }, async () => {
    const flat = await openRocks('flat', true)
    const grouped = await openRocks('grouped', false)
    assert.equal(flat.nativeAddon, true)
    assert.equal(grouped.nativeAddon, false)
    const rand = prng(0x666c_6174)
    const model = new Map<string, string>()
    // a small key space over several first bytes: the same key is put and deleted within a batch
    const keys = Array.from({ length: 300 }, () =>
      Buffer.from([
        pick(rand, [0x10, 0x11, 0x20, 0x40]),
        ...Array.from({ length: 1 + randInt(rand, 20) }, () => randInt(rand, 4)),
      ]),
    )
    for (let b = 0; b < 60; b++) {
      const n = pick(rand, [0, 1, 7, 200, 2000])
      const ops: ({ put: Buffer; value: Buffer } | { del: Buffer })[] = []
      for (let i = 0; i < n; i++) {
        const key = pick(rand, keys)
        if (rand() < 0.3) {
          ops.push({ del: key })
          model.delete(key.toString('hex'))
        } else {
          const value = Buffer.from(Array.from({ length: randInt(rand, 40) }, () => randInt(rand, 256)))
          ops.push({ put: key, value })
          model.set(key.toString('hex'), value.toString('hex'))
        }
      }
      flat.write(ops, { sync: b % 10 === 0 })
      grouped.write(ops)
    }
    const expected = [...model]
      .sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'hex'), Buffer.from(b, 'hex')))
      .map(([k, v]) => `${k}=${v}`)
    assert.deepEqual(contents(flat), expected)
    assert.deepEqual(contents(grouped), expected)
    assert.deepEqual([...flat.puts], [...grouped.puts], 'puts counted by tag alike')
    assert.deepEqual([...flat.deletes], [...grouped.deletes], 'deletes counted by tag alike')
    await flat.close()
    await grouped.close()
  })

  it('gives a store the same database as the per-key calls (seeded workload, reopened)', {
    skip,
  }, async () => {
    const a = tempDir('store-flat')
    const b = tempDir('store-grouped')
    dirs.push(a.cleanup, b.cleanup)
    let flat = await Store.open(a.dir, { create: true, nativeAddon: true })
    const grouped = await Store.open(b.dir, { create: true, nativeAddon: false })
    const rand = prng(0x7374_6f72)
    const pool = Array.from({ length: 500 }, () => randomRec(rand, { maxLabels: 3 }))
    for (let batch = 0; batch < 100; batch++) {
      const updates = new Map<string, RecordUpdate>()
      const size = pick(rand, [1, 10, 100, 400])
      for (let k = 0; k < size; k++) {
        const rec = pick(rand, pool)
        const origin = pick(rand, [1, 2, 5])
        const mode: MergeMode = origin === 5 ? 'max' : 'add'
        const first = T0 + randInt(rand, 10_000)
        const id = { ...rec.id, origin }
        const u: RecordUpdate = {
          id,
          value: { first, last: first + randInt(rand, 5000), count: 1 + randInt(rand, 9) },
          mode,
        }
        if (mode === 'add' && rand() < 0.5) u.ttl = { min: 60, max: 60 + randInt(rand, 600) }
        const key = rrsetKey(id).toString('hex')
        if (!updates.has(key)) updates.set(key, u)
      }
      assert.deepEqual(
        flat.apply([...updates.values()]),
        grouped.apply([...updates.values()]),
        `batch ${batch}`,
      )
      if (batch === 60) {
        await flat.close()
        flat = await Store.open(a.dir, { nativeAddon: true })
      }
    }
    assert.deepEqual(dump(flat), dump(grouped))
    checkIndexes(flat)
    await flat.close()
    await grouped.close()
  })

  it('refuses a malformed buffer without writing any of it', { skip }, async () => {
    const db = await openRocks('malformed', true)
    const handle = db.handle
    const put = Buffer.from([1, 2, 0, 0, 0, 1, 0, 0, 0, 0x30, 0x31, 0x7f])
    // a good put, then: a truncated header, an unknown op, a delete with a value, lengths past the end
    const bad = [
      Buffer.concat([put, Buffer.from([1, 2, 0])]),
      Buffer.concat([put, Buffer.from([7, 1, 0, 0, 0, 0, 0, 0, 0, 0x30])]),
      Buffer.concat([put, Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0x30, 0x31])]),
      Buffer.concat([put, Buffer.from([1, 0xff, 0xff, 0, 0, 1, 0, 0, 0, 0x30])]),
    ]
    for (const buf of bad) {
      assert.throws(() => addon!.write(handle, buf, buf.length, false), { code: 'ERR_INVALID_ARG' })
    }
    assert.throws(() => addon!.write(handle, put, put.length + 1, false), { code: 'ERR_INVALID_ARG' })
    assert.throws(() => addon!.write(0n, put, put.length, false), { code: 'ERR_INVALID_ARG' })
    assert.deepEqual(contents(db), [], 'nothing of a refused batch is written')
    assert.equal(addon!.write(handle, put, put.length, false), 1)
    assert.deepEqual(contents(db), ['3031=7f'])
    await db.close()
  })

  it('checks the handle against the location, and refuses a closed database', { skip }, async () => {
    const db = await openRocks('probe', true)
    const handle = db.handle
    assert.equal(addon!.probe(handle, db.location), true)
    assert.equal(addon!.probe(handle, `${db.location}-other`), false)
    await db.close()
    const put = Buffer.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 0x30])
    assert.throws(() => addon!.write(handle, put, put.length, false), { code: 'ERR_DB_CLOSED' })
    assert.throws(() => db.write([{ put: Buffer.from('a'), value: Buffer.from('b') }]), { code: 'ERR_DB_IO' })
  })
})
