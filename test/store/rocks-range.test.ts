import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { isPdnsError } from '../../node/errors.ts'
import { Rocks } from '../../node/store/rocks.ts'
import { tempDir } from './helpers.ts'

const cleanups: (() => void)[] = []
after(() => {
  for (const c of cleanups) c()
})

async function filled(n: number, nativeIterators: boolean): Promise<Rocks> {
  const { dir, cleanup } = tempDir('rocks-range')
  cleanups.push(cleanup)
  const db = await Rocks.open(dir, { createIfMissing: true, nativeIterators })
  const writes = []
  for (let i = 0; i < n; i++) {
    writes.push({ put: Buffer.from([7, i >> 8, i & 255]), value: Buffer.from(`v${i}`) })
  }
  writes.push({ put: Buffer.from([8, 0]), value: Buffer.from('other family') })
  db.write(writes)
  return db
}

for (const nativeIterators of [true, false])
  describe(`Rocks range reads (${nativeIterators ? "the binding's own iterator calls" : "abstract-level's iterators"})`, () => {
    it('return exactly the keys of a range, in order and in reverse, in growing chunks, with or without filling the cache', async () => {
      const db = await filled(3000, nativeIterators)
      try {
        for (const fillCache of [false, true]) {
          const range = { gte: Buffer.from([7, 0, 10]), lt: Buffer.from([7, 11, 0]) }
          const keys = [...db.range(range, { fillCache })].map(([k]) => (k[1]! << 8) | k[2]!)
          assert.deepEqual(
            keys,
            Array.from({ length: (11 << 8) - 10 }, (_, i) => i + 10),
          )
          const chunks = [...db.rows({ gte: Buffer.from([7]), lt: Buffer.from([8]) }, { fillCache })]
          // first a small chunk (an exact lookup needs few), then doubling up to the maximum
          assert.equal(chunks[0]!.length, 2 * 16)
          assert.equal(chunks.flat().length, 2 * 3000)
          const back = [...db.range({ gte: Buffer.from([7, 11, 180]), reverse: true, lt: Buffer.from([8]) })]
          // 2996 is [7, 11, 180]: from the end of the family down to it
          assert.deepEqual(
            back.map(([k, v]) => `${(k[1]! << 8) | k[2]!}:${v.toString()}`),
            ['2999:v2999', '2998:v2998', '2997:v2997', '2996:v2996'],
          )
        }
      } finally {
        await db.close()
      }
    })

    it('a bound given as undefined is no bound', async () => {
      const db = await filled(50, nativeIterators)
      try {
        const keys = [
          ...db.range({ gte: Buffer.from([7, 0, 40]), lt: undefined, gt: undefined, lte: undefined }),
        ]
        // the ten keys of the family from 40 on, and the one key of the next family
        assert.equal(keys.length, 11)
        assert.equal(keys.at(-1)![0][0], 8)
      } finally {
        await db.close()
      }
    })

    it('a range left early closes its iterator, and the database still closes', async () => {
      const db = await filled(100, nativeIterators)
      for (const [k] of db.range({ gte: Buffer.from([7]) })) {
        assert.equal(k[0], 7)
        break
      }
      await db.close()
    })

    it('first() and keyTexts() read the same ranges', async () => {
      const db = await filled(50, nativeIterators)
      try {
        assert.deepEqual(db.first({ gte: Buffer.from([7, 0, 5]) }), Buffer.from([7, 0, 5]))
        assert.equal(db.first({ gte: Buffer.from([9]) }), undefined)
        // keys as text after their bytes: [7, 0, i] read as UTF-8 (all below 0x80 here)
        const texts = [...db.keyTexts({ gte: Buffer.from([7, 0, 40]), lt: Buffer.from([8]) })].flat()
        assert.deepEqual(
          texts.filter((_, i) => i % 2 === 0),
          Array.from({ length: 10 }, (_, i) => Buffer.from([7, 0, 40 + i]).toString('utf8')),
        )
      } finally {
        await db.close()
      }
    })

    it('a read after close is a clear ERR_DB_IO, not a crash', async () => {
      const db = await filled(10, nativeIterators)
      await db.close()
      const closed = (err: unknown) =>
        isPdnsError(err) && err.code === 'ERR_DB_IO' && /not open/.test(err.message)
      assert.throws(() => [...db.range({ gte: Buffer.from([7]) })], closed)
      assert.throws(() => db.first({ gte: Buffer.from([7]) }), closed)
      assert.throws(() => [...db.keyTexts({ gte: Buffer.from([7]) })], closed)
    })
  })
