import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { readCapture } from '../../node/capture/index.ts'
import { isPdnsError } from '../../node/errors.ts'
import { concat, PcapngWriter, pcapFile, readAll, rng, tmpFile, udpFrame } from './helpers.ts'

const code = (err: unknown): string | undefined => (isPdnsError(err) ? err.code : undefined)

function manyRecords(n: number, seed: number) {
  const r = rng(seed)
  return Array.from({ length: n }, (_, i) => {
    const f = udpFrame(i & 0xffff)
    const junk = new Uint8Array(Math.floor(r() * 200))
    for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(r() * 256)
    return { data: concat(f, junk), tsUs: 1_000_000 * i }
  })
}

test('gzip-compressed pcap and pcapng are recognised by content and inflated on the fly', async () => {
  const pcap = pcapFile([{ data: udpFrame(1) }, { data: udpFrame(2) }])
  const ng = new PcapngWriter().shb().idb(1).epb(0, 5n, udpFrame(3)).bytes()
  const a = await readAll(tmpFile('a.bin', gzipSync(pcap)))
  assert.equal(a.err, null)
  assert.deepEqual(a.info, {
    format: 'pcap',
    compressed: true,
    frames: 2,
    bytes: pcap.length,
    skippedBlocks: 0,
  })
  const b = await readAll(tmpFile('b.pcapng.gz', gzipSync(ng)))
  assert.deepEqual(b.info, {
    format: 'pcapng',
    compressed: true,
    frames: 1,
    bytes: ng.length,
    skippedBlocks: 0,
  })
  assert.deepEqual(b.frames[0]!.data, udpFrame(3))
})

test('a pcap named .txt is still read as pcap (detection is by content, not name)', async () => {
  const { err, frames } = await readAll(tmpFile('notes.txt', pcapFile([{ data: udpFrame(1) }])))
  assert.equal(err, null)
  assert.equal(frames.length, 1)
})

test('a truncated gzip delivers the frames inflated before the cut, then ERR_TRUNCATED_CAPTURE', async () => {
  const recs = manyRecords(3000, 3)
  const gz = gzipSync(pcapFile(recs))
  const { frames, err } = await readAll(tmpFile('cut.pcap.gz', gz.subarray(0, Math.floor(gz.length * 0.7))))
  assert.equal(code(err), 'ERR_TRUNCATED_CAPTURE')
  assert.ok(frames.length > 1000, `${frames.length} frames delivered`)
  assert.deepEqual(frames[frames.length - 1]!.data, recs[frames.length - 1]!.data)
  assert.match((err as Error).message, /cut\.pcap\.gz.*decompressed stream/)
})

test('a corrupt gzip delivers what inflated cleanly, then ERR_CORRUPT_CAPTURE or ERR_TRUNCATED_CAPTURE', async () => {
  const recs = manyRecords(3000, 4)
  const gz = Buffer.from(gzipSync(pcapFile(recs)))
  const r = rng(5)
  for (let i = 0; i < 200; i++) {
    const at = Math.floor(gz.length / 2 + r() * 5000)
    gz[at] = gz[at]! ^ 0xff
  }
  const { frames, err } = await readAll(tmpFile('bad.pcap.gz', gz))
  assert.ok(code(err) === 'ERR_CORRUPT_CAPTURE' || code(err) === 'ERR_TRUNCATED_CAPTURE', String(err))
  assert.ok(frames.length > 0)
})

test('a file that is no capture is ERR_UNKNOWN_FORMAT naming the file and its first bytes', async () => {
  const p = tmpFile('riff.pcap', Buffer.from('RIFF\x00\x00\x00\x00WAVEfmt '))
  const { err } = await readAll(p)
  assert.equal(code(err), 'ERR_UNKNOWN_FORMAT')
  assert.ok((err as Error).message.includes(p))
  assert.match((err as Error).message, /52 49 46 46/)
  const gz = await readAll(tmpFile('text.gz', gzipSync(Buffer.from('hello world, not a capture'))))
  assert.equal(code(gz.err), 'ERR_UNKNOWN_FORMAT')
  assert.match((gz.err as Error).message, /gzip-compressed/)
  const empty = await readAll(tmpFile('empty.pcap', new Uint8Array(0)))
  assert.equal(code(empty.err), 'ERR_UNKNOWN_FORMAT')
  assert.match((empty.err as Error).message, /empty/)
})

test('a pcap shorter than its file header is ERR_TRUNCATED_CAPTURE', async () => {
  const { err } = await readAll(tmpFile('short.pcap', pcapFile([]).subarray(0, 10)))
  assert.equal(code(err), 'ERR_TRUNCATED_CAPTURE')
})

test('a missing file or a directory is ERR_FILE_UNREADABLE with the fs error as cause', async () => {
  const missing = await readAll('/nonexistent/dir/x.pcap')
  assert.equal(code(missing.err), 'ERR_FILE_UNREADABLE')
  assert.equal(((missing.err as Error).cause as { code?: string }).code, 'ENOENT')
  const dir = join(dirname(tmpFile('x', new Uint8Array(1))), 'adir')
  mkdirSync(dir, { recursive: true })
  const d = await readAll(dir)
  assert.equal(code(d.err), 'ERR_FILE_UNREADABLE')
})

test('an aborted signal rejects with ERR_ABORTED, before or during reading', async () => {
  const p = tmpFile('abort.pcap', pcapFile(manyRecords(10, 1)))
  const pre = new AbortController()
  pre.abort()
  await assert.rejects(
    readCapture(p, () => {}, { signal: pre.signal }),
    { code: 'ERR_ABORTED' },
  )
  const during = new AbortController()
  let seen = 0
  const gz = tmpFile('abort.pcap.gz', gzipSync(pcapFile(manyRecords(3000, 2))))
  await assert.rejects(
    readCapture(
      gz,
      () => {
        if (++seen === 5) during.abort(new Error('stop'))
      },
      { signal: during.signal },
    ),
    { code: 'ERR_ABORTED' },
  )
})

test('onProgress reports file bytes read against the file size', async () => {
  const data = pcapFile(manyRecords(50, 9))
  const calls: [number, number][] = []
  await readCapture(tmpFile('progress.pcap', data), () => {}, { onProgress: (a, b) => calls.push([a, b]) })
  assert.ok(calls.length >= 1)
  assert.deepEqual(calls[calls.length - 1], [data.length, data.length])
})
