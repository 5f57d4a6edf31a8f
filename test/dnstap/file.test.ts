import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type TestContext, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { type DnstapFileInfo, readDnstapFile, sniffFrameStreams } from '../../node/dnstap/index.ts'
import { isPdnsError } from '../../node/errors.ts'
import { REPO } from '../helpers/run-cli.ts'
import { requireCorpus } from '../helpers/shared.ts'
import {
  ACCEPT,
  controlFrame,
  DNSTAP_CT,
  DNSTAP_DIR,
  dataFrame,
  encodeDnstap,
  fstrmStream,
  READY,
  START,
  STOP,
} from './helpers.ts'

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pdns-dnstap-file-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** Reads a file; returns the frames (hex), the info, and the error if it failed. */
async function read(path: string, opts: { signal?: AbortSignal } = {}) {
  const frames: string[] = []
  let info: DnstapFileInfo | null = null
  let error: unknown = null
  try {
    info = await readDnstapFile(
      path,
      (b, o, l) => frames.push(Buffer.from(b.subarray(o, o + l)).toString('hex')),
      opts,
    )
  } catch (err) {
    error = err
  }
  return { frames, info, error }
}

function code(err: unknown): string {
  assert.ok(isPdnsError(err), `expected a PdnsError, got ${err}`)
  return err.code
}

const payload = (i: number) =>
  encodeDnstap({
    type: 'MESSAGE',
    identity: Buffer.from(`r${i}`),
    message: { type: 'CLIENT_QUERY', query_port: i },
  })

test('a file larger than a read chunk yields every frame, in order', async (t) => {
  const dir = await tempDir(t)
  const payloads = Array.from({ length: 30_000 }, (_, i) => payload(i))
  const path = join(dir, 'big.dnstap')
  await writeFile(path, fstrmStream(payloads))
  const r = await read(path)
  assert.equal(r.error, null)
  assert.equal(r.frames.length, payloads.length)
  assert.deepEqual(
    r.frames,
    payloads.map((p) => Buffer.from(p).toString('hex')),
  )
  assert.deepEqual(
    { ...r.info!, bytes: 0 },
    { compressed: false, contentType: DNSTAP_CT, frames: 30_000, bytes: 0, streams: 1, stopped: true },
  )
  assert.equal(r.info!.bytes, (await readFile(path)).length)
})

test('gzip-compressed and back-to-back (cat) dnstap files read whole', async (t) => {
  if (!requireCorpus(t, 'dnstap gzip and concatenation')) return
  const dir = await tempDir(t)
  const a = await readFile(resolve(DNSTAP_DIR, 'dsc/dotdoh.dnstap'))
  const b = await readFile(resolve(DNSTAP_DIR, 'go-dnscollector/dnstap.fstrm'))
  const plainA = await read(resolve(DNSTAP_DIR, 'dsc/dotdoh.dnstap'))
  const plainB = await read(resolve(DNSTAP_DIR, 'go-dnscollector/dnstap.fstrm'))
  const gz = join(dir, 'a.dnstap.gz')
  await writeFile(gz, gzipSync(a))
  const rgz = await read(gz)
  assert.equal(rgz.error, null)
  assert.deepEqual(rgz.frames, plainA.frames)
  assert.equal(rgz.info!.compressed, true)
  const cat = join(dir, 'cat.dnstap')
  await writeFile(cat, Buffer.concat([a, b]))
  const rcat = await read(cat)
  assert.equal(rcat.error, null)
  assert.deepEqual(rcat.frames, [...plainA.frames, ...plainB.frames])
  assert.equal(rcat.info!.streams, 2)
})

test('a file cut anywhere delivers the frames before the cut; inside a frame it is ERR_DNSTAP_PROTOCOL', async (t) => {
  const dir = await tempDir(t)
  const payloads = [payload(1), payload(22), payload(333)]
  const whole = fstrmStream(payloads)
  // frame boundaries: after START, after each data frame, after STOP
  const ends: number[] = []
  let p = controlFrame(START, [DNSTAP_CT]).length
  ends.push(p)
  for (const x of payloads) {
    p += 4 + x.length
    ends.push(p)
  }
  ends.push(whole.length)
  for (let cut = 1; cut <= whole.length; cut++) {
    const path = join(dir, `cut-${cut}.dnstap`)
    await writeFile(path, whole.subarray(0, cut))
    const r = await read(path)
    const complete = ends.filter((e) => e <= cut).length
    const framesIn = Math.max(0, Math.min(complete - 1, payloads.length))
    assert.equal(r.frames.length, framesIn, `cut at ${cut}`)
    if (ends.includes(cut)) {
      assert.equal(r.error, null, `cut at ${cut} (a boundary)`)
      assert.equal(r.info!.stopped, cut === whole.length)
    } else {
      assert.equal(code(r.error), 'ERR_DNSTAP_PROTOCOL', `cut at ${cut}`)
      const frameStart = Math.max(0, ...ends.filter((e) => e < cut))
      assert.ok(
        (r.error as Error).message.endsWith(
          `truncated dnstap file: it ends inside a frame (the frame at Frame Streams byte ${frameStart} has ${cut - frameStart} bytes)`,
        ),
        (r.error as Error).message,
      )
    }
  }
})

test('streams out of order are ERR_DNSTAP_PROTOCOL after the frames before them', async (t) => {
  const dir = await tempDir(t)
  const d = dataFrame(payload(1))
  const start = controlFrame(START, [DNSTAP_CT])
  const stop = controlFrame(STOP)
  const cases: [string, Buffer, number, RegExp][] = [
    ['data before START', Buffer.concat([d, start, d, stop]), 0, /data frame before START/],
    [
      'READY in a file',
      Buffer.concat([controlFrame(READY, [DNSTAP_CT]), start, d, stop]),
      0,
      /READY control frame in a file/,
    ],
    [
      'ACCEPT mid-stream',
      Buffer.concat([start, d, controlFrame(ACCEPT, [DNSTAP_CT]), d, stop]),
      1,
      /ACCEPT control frame/,
    ],
    ['START twice', Buffer.concat([start, d, start, d, stop]), 1, /START inside a running stream/],
    ['data after STOP', Buffer.concat([start, d, stop, d]), 1, /data frame after STOP/],
    ['START without content type', Buffer.concat([controlFrame(START), d, stop]), 0, /names no content type/],
    ['no START at all', Buffer.alloc(0), 0, /dnstap file is empty/],
  ]
  for (const [what, bytes, before, re] of cases) {
    const path = join(dir, `${what.replaceAll(' ', '-')}.dnstap`)
    await writeFile(path, bytes)
    const r = await read(path)
    assert.equal(code(r.error), 'ERR_DNSTAP_PROTOCOL', what)
    assert.match((r.error as Error).message, re, what)
    assert.ok((r.error as Error).message.startsWith(path), `${what}: the message names the file`)
    assert.equal(r.frames.length, before, `${what}: frames before the fault`)
  }
})

test('a missing file is ERR_FILE_UNREADABLE; an aborted read is ERR_ABORTED', async (t) => {
  const dir = await tempDir(t)
  assert.equal(code((await read(join(dir, 'nope.dnstap'))).error), 'ERR_FILE_UNREADABLE')
  const path = join(dir, 'x.dnstap')
  await writeFile(path, fstrmStream([payload(1)]))
  const ac = new AbortController()
  ac.abort()
  assert.equal(code((await read(path, { signal: ac.signal })).error), 'ERR_ABORTED')
})

test('the head of a Frame Streams file is recognised with its content type; other files are not', async (t) => {
  assert.deepEqual(sniffFrameStreams(fstrmStream([payload(1)])), { contentType: DNSTAP_CT })
  assert.deepEqual(sniffFrameStreams(fstrmStream([], 'test:hello')), { contentType: 'test:hello' })
  assert.deepEqual(sniffFrameStreams(controlFrame(START)), { contentType: null })
  assert.equal(sniffFrameStreams(controlFrame(READY, [DNSTAP_CT])), null, 'a handshake is not a file')
  assert.equal(sniffFrameStreams(dataFrame(payload(1))), null)
  assert.equal(sniffFrameStreams(await readFile(join(REPO, 'test/fixtures/sample.pcap'))), null)
  assert.equal(sniffFrameStreams(Buffer.from('{"rrname":"x"}\n')), null)
  assert.equal(sniffFrameStreams(Buffer.alloc(11)), null)
  if (!requireCorpus(t, 'corpus heads')) return
  const head = (await readFile(resolve(DNSTAP_DIR, 'fstrm/test.fstrm'))).subarray(0, 64)
  assert.deepEqual(sniffFrameStreams(head), { contentType: 'test:hello' })
})
