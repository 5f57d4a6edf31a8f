/**
 * Narrow lookups (rows with fillCache) read their first entries in one call of the store's native
 * addon, then go on through the binding's iterator from after the last of them: every range, bounds
 * inclusive or exclusive, short or long, must give exactly the entries the iterator alone gives.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { nativeAddon, nativeAddonUnavailable } from '../../node/store/native/index.ts'
import { readRows } from '../../node/store/read-rows.ts'
import { type Range, Rocks } from '../../node/store/rocks.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { tempDir } from './helpers.ts'

const skip = nativeAddon() === null ? `the native addon is not available: ${nativeAddonUnavailable()}` : false
const cleanups: (() => void)[] = []
after(() => {
  for (const c of cleanups) c()
})

async function open(nativeAddon: boolean): Promise<Rocks> {
  const { dir, cleanup } = tempDir('read-rows')
  cleanups.push(cleanup)
  return Rocks.open(dir, { createIfMissing: true, nativeAddon })
}

const key = (tag: number, i: number) => Buffer.from([tag, i >> 8, i & 255])
const text = (rows: Buffer[]) => rows.map((b) => b.toString('hex')).join(' ')

describe('narrow lookups through the native read', { skip }, () => {
  it('give the iterator’s entries for every kind of bounds (seeded ranges)', async () => {
    const native = await open(true)
    const plain = await open(false)
    const writes = []
    // gaps in the key space, empty values, long values, and a family after
    for (let i = 0; i < 2000; i += 1 + (i % 3)) {
      writes.push({ put: key(7, i), value: Buffer.alloc(i % 5 === 0 ? 0 : (i % 7) * 40, i & 255) })
    }
    writes.push(
      { put: Buffer.from([8]), value: Buffer.from('next') },
      { put: key(8, 1), value: Buffer.from('x') },
    )
    native.write(writes)
    plain.write(writes)
    assert.equal(native.nativeAddon, true)
    const rand = prng(0x7265_6164)
    for (let n = 0; n < 400; n++) {
      const a = randInt(rand, 2100)
      const b = a + randInt(rand, n % 4 === 0 ? 2000 : 40)
      const range: Range = {}
      if (rand() < 0.5) range.gte = key(7, a)
      else if (rand() < 0.8) range.gt = key(7, a)
      const upper = rand()
      if (upper < 0.45) range.lt = key(7, b)
      else if (upper < 0.9) range.lte = key(7, b)
      const want = text([...plain.rows(range)].flat())
      const chunks = [...native.rows(range, { fillCache: true })]
      assert.equal(text(chunks.flat()), want, JSON.stringify(range))
      // the first chunk is the native read's (16 entries at most), the rest the iterator's
      assert.ok(chunks.length === 0 || chunks[0]!.length <= 32)
    }
    await native.close()
    await plain.close()
  })

  it('is refused on a closed database, and says why', async () => {
    const db = await open(true)
    db.write([{ put: key(7, 1), value: Buffer.from('v') }])
    await db.close()
    assert.throws(() => [...db.rows({ gte: key(7, 0) }, { fillCache: true })], { code: 'ERR_DB_IO' })
  })

  it('reads its buffer: ended or not, empty keys and values', () => {
    const buf = Buffer.from([0, 1, 0, 0, 0, 0, 0, 0, 0, 0x61, 0, 0, 0, 0, 2, 0, 0, 0, 0x62, 0x63])
    const { rows, finished } = readRows(buf)
    assert.equal(finished, false)
    assert.deepEqual(
      rows.map((r) => r.toString()),
      ['a', '', '', 'bc'],
    )
    assert.deepEqual(readRows(Buffer.from([1])), { rows: [], finished: true })
  })
})
