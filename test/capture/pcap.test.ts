import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readCapture } from '../../node/capture/index.ts'
import { concat, pcapFile, readAll, rng, tmpFile, u32, u32le, udpFrame } from './helpers.ts'

const recs = [
  { data: udpFrame(1), tsUs: 1_700_000_000_000_001 },
  { data: udpFrame(2), tsUs: 1_700_000_000_500_000, origLen: 1514 },
  { data: udpFrame(3), tsUs: 1_700_000_001_999_999 },
]

for (const le of [true, false]) {
  for (const nano of [false, true]) {
    test(`classic pcap, ${le ? 'little' : 'big'}-endian, ${nano ? 'ns' : 'µs'} timestamps: frames, lengths and µs times`, async () => {
      const p = tmpFile(`t-${le}-${nano}.pcap`, pcapFile(recs, { le, nano, linkType: 113 }))
      const { frames, err, info } = await readAll(p)
      assert.equal(err, null)
      assert.deepEqual(info, {
        format: 'pcap',
        compressed: false,
        frames: 3,
        bytes: pcapFile(recs).length,
        skippedBlocks: 0,
      })
      assert.deepEqual(
        frames.map((f) => f.tsUs),
        recs.map((r) => r.tsUs),
      )
      assert.deepEqual(frames[0]!.data, recs[0]!.data)
      assert.equal(frames[1]!.origLen, 1514)
      assert.equal(frames[0]!.linkType, 113)
    })
  }
}

test('the FCS bits of the pcap link-type word are ignored', async () => {
  const f = pcapFile(recs.slice(0, 1))
  f.set(u32le(0x14000001), 20) // FCS present, 4 bytes... link type 1
  const { frames } = await readAll(tmpFile('fcs.pcap', f))
  assert.equal(frames[0]!.linkType, 1)
})

test('a file ending inside a record delivers every frame before it, then ERR_TRUNCATED_CAPTURE', async () => {
  const full = pcapFile(recs)
  for (const cut of [5, 24 + 8, full.length - 3, full.length - recs[2]!.data.length - 10]) {
    const { frames, err } = await readAll(tmpFile('trunc.pcap', full.subarray(0, cut)))
    assert.equal((err as { code?: string }).code, 'ERR_TRUNCATED_CAPTURE', `cut at ${cut}`)
    const expected = cut < 24 + 16 + recs[0]!.data.length ? 0 : 2
    assert.equal(frames.length, expected, `cut at ${cut}`)
    assert.match((err as Error).message, /after \d+ frames, at byte offset \d+/)
  }
})

test('a record length above MAX_PCAP_RECORD is ERR_CORRUPT_CAPTURE after the frames before it', async () => {
  const good = pcapFile(recs.slice(0, 2))
  const bad = concat(good, u32le(1), u32le(0), u32le(0x7fffffff), u32le(60), new Uint8Array(60))
  const { frames, err } = await readAll(tmpFile('corrupt.pcap', bad))
  assert.equal(frames.length, 2)
  assert.equal((err as { code?: string }).code, 'ERR_CORRUPT_CAPTURE')
  assert.match((err as Error).message, /after 2 frames, at byte offset \d+/)
})

test('records straddling read-buffer refills arrive intact (file larger than one chunk)', async () => {
  const r = rng(1)
  const many: { data: Uint8Array; tsUs: number }[] = []
  let size = 24
  for (let i = 0; size < 9.5 * 1024 * 1024; i++) {
    const data = new Uint8Array(40 + Math.floor(r() * 3000))
    for (let j = 0; j < data.length; j += 97) data[j] = (i + j) & 255
    data[0] = i & 255
    many.push({ data, tsUs: 1_000_000 + i })
    size += 16 + data.length
  }
  const p = tmpFile('big.pcap', pcapFile(many, { le: false }))
  let n = 0
  let bad = 0
  await readCapture(p, (_lt, buf, off, capLen, _o, tsUs) => {
    const want = many[n]!
    if (capLen !== want.data.length || tsUs !== want.tsUs || buf[off] !== want.data[0]) bad++
    else if (Buffer.compare(buf.subarray(off, off + capLen), want.data) !== 0) bad++
    n++
  })
  assert.equal(n, many.length)
  assert.equal(bad, 0)
})

test('big-endian pcap magic is read as big-endian', async () => {
  const f = pcapFile(recs, { le: false })
  assert.deepEqual(f.subarray(0, 4), u32(0xa1b2c3d4))
  const { frames } = await readAll(tmpFile('be.pcap', f))
  assert.equal(frames.length, 3)
})
