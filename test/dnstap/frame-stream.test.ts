import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { test } from 'node:test'
import {
  ByteBudget,
  type ControlFrame,
  decodeControlFrame,
  encodeControlFrame,
  encodeDataFrame,
  FRAME_BUFFER_STEP,
  FrameDecoder,
  FrameStreamError,
  MAX_CONTROL_FRAME_BYTES,
  MAX_DATA_FRAME_BYTES,
} from '../../node/dnstap/index.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { requireCorpus } from '../helpers/shared.ts'
import {
  ACCEPT,
  controlFrame,
  corpusDnstapFiles,
  DNSTAP_CT,
  DNSTAP_DIR,
  dataFrame,
  FINISH,
  fstrmDump,
  fstrmStream,
  READY,
  requireTool,
  START,
  STOP,
} from './helpers.ts'

type Got = { data: string[]; controls: ControlFrame[] }

/** Feeds `bytes` cut at the given offsets; collects what comes out (data frames as hex, copied). */
function decodeInPieces(bytes: Uint8Array, cuts: readonly number[]): Got {
  const got: Got = { data: [], controls: [] }
  const d = new FrameDecoder({
    data: (buf, off, len) => got.data.push(Buffer.from(buf.subarray(off, off + len)).toString('hex')),
    control: (f) => got.controls.push(f),
  })
  let prev = 0
  for (const c of [...cuts, bytes.length]) {
    d.push(bytes.subarray(prev, c))
    prev = c
  }
  assert.ok(d.atBoundary, 'the stream ends on a frame boundary')
  return got
}

function failure(fn: () => void): FrameStreamError {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof FrameStreamError, `expected a FrameStreamError, got ${err}`)
    assert.equal(err.code, 'ERR_DNSTAP_PROTOCOL')
    return err
  }
  assert.fail('expected a FrameStreamError')
}

test('control frames encode to the wire layout of libfstrm and decode back', () => {
  for (const [type, num, cts] of [
    ['READY', READY, [DNSTAP_CT, 'test:hello']],
    ['ACCEPT', ACCEPT, [DNSTAP_CT]],
    ['START', START, [DNSTAP_CT]],
    ['STOP', STOP, []],
    ['FINISH', FINISH, []],
  ] as const) {
    const ours = encodeControlFrame(type, cts)
    assert.deepEqual(Buffer.from(ours), controlFrame(num, cts), type)
    assert.deepEqual(decodeControlFrame(ours, 8, ours.length - 8), { type, contentTypes: [...cts] })
  }
  assert.deepEqual(Buffer.from(encodeDataFrame(Buffer.from('abc'))), dataFrame(Buffer.from('abc')))
})

test('the decoder gives the same frames whatever the chunk boundaries (seeded random cuts, every single-byte cut)', () => {
  const rand = prng(0xf57a)
  const payloads = Array.from({ length: 40 }, (_, i) =>
    Buffer.from(Array.from({ length: 1 + randInt(rand, i % 7 === 0 ? 3000 : 60) }, () => randInt(rand, 256))),
  )
  const stream = fstrmStream(payloads)
  const whole = decodeInPieces(stream, [])
  assert.deepEqual(
    whole.data,
    payloads.map((p) => p.toString('hex')),
  )
  assert.deepEqual(
    whole.controls.map((c) => c.type),
    ['START', 'STOP'],
  )
  for (let round = 0; round < 200; round++) {
    const cuts = Array.from({ length: randInt(rand, 30) }, () => randInt(rand, stream.length + 1)).sort(
      (a, b) => a - b,
    )
    assert.deepEqual(decodeInPieces(stream, cuts), whole, `cuts ${cuts.join(',')}`)
  }
  // one byte at a time: every header and body split
  assert.deepEqual(
    decodeInPieces(
      stream,
      Array.from({ length: stream.length - 1 }, (_, i) => i + 1),
    ),
    whole,
  )
})

test('corpus Frame Streams files split into the frames fstrm_dump lists, whatever the chunking', async (t) => {
  if (!requireCorpus(t, 'Frame Streams corpus check') || !requireTool(t, 'fstrm_dump')) return
  const rand = prng(7)
  for (const rel of corpusDnstapFiles()) {
    const path = resolve(DNSTAP_DIR, rel)
    const bytes = readFileSync(path)
    const oracle = await fstrmDump(path)
    const got = decodeInPieces(bytes, [])
    assert.deepEqual(
      got.data.map((h) => h.length / 2),
      oracle.dataFrames,
      rel,
    )
    assert.deepEqual(
      got.controls.map((c) => c.type),
      oracle.controls,
      rel,
    )
    assert.deepEqual(
      got.controls.flatMap((c) => c.contentTypes),
      oracle.contentTypes,
      rel,
    )
    for (let i = 0; i < 20; i++) {
      const cuts = [randInt(rand, bytes.length), randInt(rand, bytes.length)].sort((a, b) => a - b)
      assert.deepEqual(decodeInPieces(bytes, cuts), got, `${rel} cut at ${cuts}`)
    }
  }
})

test('a frame over the limits fails at its header, before its body is awaited or buffered', () => {
  const frames: number[] = []
  const d = new FrameDecoder({ data: (_b, _o, len) => frames.push(len), control: () => {} })
  d.push(fstrmStream([Buffer.from('x')]).subarray(0, -12)) // START, one frame, no STOP
  const big = Buffer.alloc(4)
  big.writeUInt32BE(MAX_DATA_FRAME_BYTES + 1)
  const e = failure(() => d.push(big))
  assert.equal(e.fault, 'frame_too_large')
  assert.match(e.message, new RegExp(`data frame of ${MAX_DATA_FRAME_BYTES + 1} bytes`))
  assert.deepEqual(frames, [1], 'the frame before is delivered')
  assert.equal(d.pendingBytes, 4, 'nothing of the announced body is held')
  // a failed decoder refuses further input
  assert.equal(failure(() => d.push(dataFrame(Buffer.from('y')))).fault, 'frame_too_large')

  const at = Buffer.alloc(4)
  at.writeUInt32BE(MAX_DATA_FRAME_BYTES)
  const d2 = new FrameDecoder({ data: () => {}, control: () => {} })
  d2.push(at) // exactly the limit is accepted (awaiting its body)
  assert.equal(d2.atBoundary, false)

  const ctl = Buffer.alloc(8)
  ctl.writeUInt32BE(MAX_CONTROL_FRAME_BYTES + 1, 4)
  const d3 = new FrameDecoder({ data: () => {}, control: () => {} })
  assert.equal(failure(() => d3.push(ctl)).fault, 'frame_too_large')
  // a configured lower data limit applies
  const d4 = new FrameDecoder({ data: () => {}, control: () => {} }, { maxDataFrame: 100 })
  assert.equal(failure(() => d4.push(dataFrame(Buffer.alloc(101)))).fault, 'frame_too_large')
})

test('malformed control frames are protocol errors naming the problem', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['unknown type', controlFrame(9), /unknown control frame type 9/],
    ['no type', Buffer.from([0, 0, 0, 0, 0, 0, 0, 2, 0, 0]), /holds no control type/],
    ['two content types in START', controlFrame(START, [DNSTAP_CT, 'x:y']), /START control frame names 2/],
  ]
  const overrun = controlFrame(START, [DNSTAP_CT])
  overrun.writeUInt32BE(200, 16) // the field says 200 bytes, the frame holds 22
  cases.push(['field overrun', overrun, /overruns the frame/])
  const cut = controlFrame(START, [])
  const cutField = Buffer.concat([cut, Buffer.from([0, 0, 0, 1])])
  cutField.writeUInt32BE(8, 4)
  cases.push(['field header cut', cutField, /ends inside a field header/])
  const longCt = controlFrame(READY, ['x'.repeat(257)])
  cases.push(['content type too long', longCt, /content type of 257 bytes/])
  for (const [what, bytes, re] of cases) {
    const d = new FrameDecoder({ data: () => {}, control: () => {} })
    const e = failure(() => d.push(bytes))
    assert.equal(e.fault, 'protocol', what)
    assert.match(e.message, re, what)
  }
  // an unknown field type is skipped (a later protocol revision), the content type still read
  const extra = Buffer.concat([Buffer.from([0, 0, 0, 7, 0, 0, 0, 2, 0xaa, 0xbb])])
  const start = controlFrame(START, [DNSTAP_CT])
  const withExtra = Buffer.concat([start, extra])
  withExtra.writeUInt32BE(start.length - 8 + extra.length, 4)
  const got: ControlFrame[] = []
  new FrameDecoder({ data: () => {}, control: (f) => got.push(f) }).push(withExtra)
  assert.deepEqual(got, [{ type: 'START', contentTypes: [DNSTAP_CT] }])
})

test('halt() stops delivery within the chunk being decoded', () => {
  const got: string[] = []
  const d = new FrameDecoder({
    data: (b, o, l) => got.push(Buffer.from(b.subarray(o, o + l)).toString()),
    control: (f) => {
      got.push(f.type)
      if (f.type === 'STOP') d.halt()
    },
  })
  d.push(Buffer.concat([fstrmStream([Buffer.from('a')]), dataFrame(Buffer.from('after'))]))
  assert.deepEqual(got, ['START', 'a', 'STOP'])
  assert.equal(d.halted, true)
})

test('a data header the handler refuses fails the decoder at the header: nothing of the body is awaited or held', () => {
  const headers: number[] = []
  let started = false
  // a decoder whose header hook refuses data until it has seen START, as a connection's does
  const gated = () =>
    new FrameDecoder(
      {
        dataHeader: (len) => {
          headers.push(len)
          if (!started) throw new FrameStreamError('protocol', 'data frame before START')
        },
        data: () => {},
        control: (f) => {
          started = f.type === 'START'
        },
      },
      { maxDataFrame: 16 * 1024 * 1024 },
    )
  const d = gated()
  const header = Buffer.alloc(4)
  header.writeUInt32BE(16 * 1024 * 1024)
  const e = failure(() => d.push(header))
  assert.equal(e.fault, 'protocol')
  assert.deepEqual(headers, [16 * 1024 * 1024])
  assert.equal(d.bufferBytes, 0)
  assert.equal(
    failure(() => d.push(Buffer.alloc(10))).message,
    'data frame before START',
    'the decoder stays failed',
  )
  // after START the same header is offered and taken
  const ok = gated()
  started = false
  ok.push(Buffer.concat([controlFrame(START, [DNSTAP_CT]), header]))
  assert.equal(ok.atBoundary, false)
  assert.equal(ok.bufferBytes, 0, 'a header alone allocates nothing')
})

test('a split frame is assembled in a buffer that grows with the bytes received, not to the announced length', () => {
  const rand = prng(0x960)
  const len = 3 * 1024 * 1024 + 17
  const payload = Buffer.from(Array.from({ length: len }, () => randInt(rand, 256)))
  const got: Buffer[] = []
  const d = new FrameDecoder(
    { data: (b, o, l) => got.push(Buffer.from(b.subarray(o, o + l))), control: () => {} },
    { maxDataFrame: 16 * 1024 * 1024 },
  )
  const stream = dataFrame(payload)
  let p = 0
  let peak = 0
  while (p < stream.length) {
    const n = Math.min(stream.length - p, 1 + randInt(rand, 40_000))
    d.push(stream.subarray(p, p + n))
    p += n
    if (p < stream.length) {
      const received = p - 4
      // at most twice what arrived (or one first step), never the whole announced frame early
      assert.ok(
        d.bufferBytes <= Math.max(FRAME_BUFFER_STEP, 2 * received),
        `${d.bufferBytes} for ${received}`,
      )
      assert.ok(d.bufferBytes >= received)
      peak = Math.max(peak, d.bufferBytes)
    }
  }
  assert.equal(got.length, 1)
  assert.ok(got[0]!.equals(payload), 'the frame arrives intact')
  assert.equal(peak, len, 'the buffer reached the frame length only once the frame was nearly whole')
  assert.equal(d.bufferBytes, 0, 'released when delivered')
})

test('a shared budget bounds the partial frames of several decoders; the one that would pass it fails, discard() returns what each held', () => {
  const budget = new ByteBudget(210 * 1024)
  const frames: number[] = []
  const mk = () => new FrameDecoder({ data: (_b, _o, l) => frames.push(l), control: () => {} }, { budget })
  const a = mk()
  const b = mk()
  const fa = dataFrame(Buffer.alloc(150 * 1024, 1))
  const fb = dataFrame(Buffer.alloc(100 * 1024, 2))
  a.push(fa.subarray(0, 140 * 1024))
  assert.equal(budget.used, a.bufferBytes)
  assert.ok(budget.used >= 140 * 1024 - 4)
  b.push(fb.subarray(0, 30 * 1024)) // within what is left
  assert.equal(budget.used, a.bufferBytes + b.bufferBytes)
  const e = failure(() => b.push(fb.subarray(30 * 1024, 90 * 1024)))
  assert.equal(e.fault, 'buffer_budget')
  assert.match(e.message, /would pass 215040 bytes/)
  // the failed one is discarded (its connection closes): its share comes back, and a can complete
  b.discard()
  assert.equal(budget.used, a.bufferBytes)
  a.push(fa.subarray(140 * 1024))
  assert.deepEqual(frames, [150 * 1024])
  assert.equal(budget.used, 0, 'a delivered frame returns its share')
  // a decoder discarded mid-frame returns its share too
  const c = mk()
  c.push(fa.subarray(0, 100 * 1024))
  assert.ok(budget.used > 0)
  c.discard()
  assert.equal(budget.used, 0)
  assert.equal(c.halted, true)
})
