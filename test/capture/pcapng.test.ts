import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MAX_PCAPNG_BLOCK } from '../../node/capture/index.ts'
import { bytes, concat, PcapngWriter, readAll, tmpFile, u32le, udpFrame } from './helpers.ts'

const T = 1_700_000_000n // seconds

test('two interfaces with different link types and if_tsresol; EPB, SPB and obsolete PB', async () => {
  const f1 = udpFrame(1)
  const f2 = udpFrame(2).subarray(14) // raw IPv4 for interface 1
  const w = new PcapngWriter()
    .shb()
    .idb(1, { snapLen: 65535 }) // default resolution: µs
    .idb(101, { tsresol: 9 }) // ns
    .epb(0, T * 1_000_000n + 123_456n, f1)
    .epb(1, T * 1_000_000_000n + 987_654_321n, f2, 1000)
    .spb(udpFrame(3))
    .pb(1, T * 1_000_000_000n + 5_000n, f2)
  const { frames, err, info } = await readAll(tmpFile('two.pcapng', w.bytes()))
  assert.equal(err, null)
  assert.deepEqual(
    frames.map((f) => [f.linkType, f.tsUs]),
    [
      [1, 1_700_000_000_123_456],
      [101, 1_700_000_000_987_654],
      [1, 1_700_000_000_987_654], // SPB: interface 0, last timestamp seen
      [101, 1_700_000_000_000_005],
    ],
  )
  assert.deepEqual(frames[0]!.data, f1)
  assert.deepEqual(frames[1]!.data, f2)
  assert.equal(frames[1]!.origLen, 1000)
  assert.deepEqual(frames[2]!.data, udpFrame(3))
  assert.deepEqual(info, {
    format: 'pcapng',
    compressed: false,
    frames: 4,
    bytes: w.bytes().length,
    skippedBlocks: 0,
  })
})

test('binary if_tsresol (2^-k), coarse decimal resolutions and if_tsoffset convert exactly to µs', async () => {
  const w = new PcapngWriter()
    .shb()
    .idb(1, { tsresol: 0x80 | 20 }) // 2^-20 s
    .idb(1, { tsresol: 3 }) // ms
    .idb(1, { tsresol: 6, tsoffsetSec: 1_000_000_000 })
    .idb(1, { tsresol: 0x80 | 40 })
    .epb(0, (T << 20n) + (1n << 19n), udpFrame(1)) // + 0.5 s
    .epb(1, T * 1000n + 250n, udpFrame(2))
    .epb(2, 700_000_000n * 1_000_000n + 42n, udpFrame(3))
    .epb(3, (1000n << 40n) + (1n << 38n), udpFrame(4)) // 1000.25 s: 2^-40 units overflow 64 bits past ~194 days
  const { frames, err } = await readAll(tmpFile('res.pcapng', w.bytes()))
  assert.equal(err, null)
  assert.deepEqual(
    frames.map((f) => f.tsUs),
    [1_700_000_000_500_000, 1_700_000_000_250_000, 1_700_000_000_000_042, 1_000_250_000],
  )
})

test('binary if_tsresol finer than 2^-33 s converts exactly, where float math would round up a µs', async () => {
  // 1000 s + frac at 2^-40 s: frac * 10^6 lies just below a multiple of 2^40 and needs more than
  // 53 bits, so rounding it to a double would carry into the next µs (1_000_537_464).
  const units = 1_100_102_575_693_511n
  assert.equal((units * 1_000_000n) >> 40n, 1_000_537_463n)
  const w = new PcapngWriter()
    .shb()
    .idb(1, { tsresol: 0x80 | 40 })
    .epb(0, units, udpFrame(1))
  const { frames, err } = await readAll(tmpFile('res-bin40.pcapng', w.bytes()))
  assert.equal(err, null)
  assert.deepEqual(
    frames.map((f) => f.tsUs),
    [1_000_537_463],
  )
})

test('several sections in different byte orders, each with its own interfaces', async () => {
  const a = new PcapngWriter(true)
    .shb()
    .idb(1)
    .epb(0, T * 1_000_000n, udpFrame(1))
  const b = new PcapngWriter(false)
    .shb()
    .idb(228)
    .epb(0, T * 1_000_000n + 1n, udpFrame(2).subarray(14))
  const { frames, err } = await readAll(tmpFile('sections.pcapng', concat(a.bytes(), b.bytes())))
  assert.equal(err, null)
  assert.deepEqual(
    frames.map((f) => f.linkType),
    [1, 228],
  )
})

test('name resolution, statistics, decryption secrets and custom blocks are skipped and counted', async () => {
  const w = new PcapngWriter().shb().idb(1)
  w.block(4, bytes(0, 0, 0, 0)) // NRB
  w.block(5, new Uint8Array(12)) // ISB
  w.block(0x0a, new Uint8Array(8)) // DSB
  w.block(0x40000bad, new Uint8Array(8)) // custom
  w.epb(0, T * 1_000_000n, udpFrame(1))
  const { frames, err, info } = await readAll(tmpFile('skip.pcapng', w.bytes()))
  assert.equal(err, null)
  assert.equal(frames.length, 1)
  assert.equal((info as { skippedBlocks: number }).skippedBlocks, 4)
})

test('SPB captured length is bounded by the interface snaplen', async () => {
  const w = new PcapngWriter().shb().idb(1, { snapLen: 40 }).spb(udpFrame(1))
  const { frames } = await readAll(tmpFile('spbsnap.pcapng', w.bytes()))
  assert.equal(frames[0]!.data.length, 40)
  assert.equal(frames[0]!.origLen, udpFrame(1).length)
})

test('a block length that is not a multiple of 4 is ERR_CORRUPT_CAPTURE after the frames before it', async () => {
  const good = new PcapngWriter().shb().idb(1).epb(0, 1n, udpFrame(1)).epb(0, 2n, udpFrame(2)).bytes()
  const bad = concat(good, u32le(6), u32le(33), new Uint8Array(25))
  const { frames, err } = await readAll(tmpFile('badlen.pcapng', bad))
  assert.equal(frames.length, 2)
  assert.equal((err as { code?: string }).code, 'ERR_CORRUPT_CAPTURE')
  assert.match((err as Error).message, /block length 33/)
})

test('a block longer than MAX_PCAPNG_BLOCK is ERR_CORRUPT_CAPTURE, not a huge allocation', async () => {
  const good = new PcapngWriter().shb().idb(1).epb(0, 1n, udpFrame(1)).bytes()
  const bad = concat(good, u32le(6), u32le(MAX_PCAPNG_BLOCK + 4), new Uint8Array(64))
  const { frames, err } = await readAll(tmpFile('huge.pcapng', bad))
  assert.equal(frames.length, 1)
  assert.equal((err as { code?: string }).code, 'ERR_CORRUPT_CAPTURE')
})

test('a packet for an undeclared interface, or a mismatched trailer length, is ERR_CORRUPT_CAPTURE', async () => {
  const noIf = new PcapngWriter().shb().idb(1).epb(3, 1n, udpFrame(1)).bytes()
  assert.equal(
    ((await readAll(tmpFile('noif.pcapng', noIf))).err as { code?: string }).code,
    'ERR_CORRUPT_CAPTURE',
  )
  const trailer = new PcapngWriter().shb().idb(1).epb(0, 1n, udpFrame(1)).bytes()
  trailer[trailer.length - 4] = trailer[trailer.length - 4]! ^ 4
  assert.equal(
    ((await readAll(tmpFile('trailer.pcapng', trailer))).err as { code?: string }).code,
    'ERR_CORRUPT_CAPTURE',
  )
})

test('a pcapng ending inside a block delivers the frames before it, then ERR_TRUNCATED_CAPTURE', async () => {
  const full = new PcapngWriter().shb().idb(1).epb(0, 1n, udpFrame(1)).epb(0, 2n, udpFrame(2)).bytes()
  for (const cut of [full.length - 1, full.length - 30, full.length - 90]) {
    const { frames, err } = await readAll(tmpFile('trunc.pcapng', full.subarray(0, cut)))
    assert.equal(frames.length, 1, `cut ${cut}`)
    assert.equal((err as { code?: string }).code, 'ERR_TRUNCATED_CAPTURE')
    assert.match((err as Error).message, /after 1 frames/)
  }
})
