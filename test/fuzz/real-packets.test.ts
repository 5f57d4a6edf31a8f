/**
 * Seeded mutation fuzzing over REAL frames from the shared corpus: bit flips, truncation, and
 * overwrites of the DNS count and length fields. The whole pipeline (link, IP, TCP, DNS) must
 * never throw, and the work per packet must stay bounded: a frame can never yield more
 * observations than its bytes could hold.
 */
import assert from 'node:assert/strict'
import { resolve } from 'node:path'
import { test } from 'node:test'
import { readCapture } from '../../node/capture/index.ts'
import { Sensor } from '../../node/sensor/index.ts'
import { prng, randInt } from '../helpers/prng.ts'
import { CORPUS_DIR, corpusCaptures, requireCorpus } from '../helpers/shared.ts'

const SEED = 0x5eed_d115
const MAX_FRAMES = 4000
const MUTATIONS_PER_FRAME = 8
/** the smallest possible resource record on the wire: root owner (1) + type, class, ttl, rdlength (10) */
const MIN_RR_BYTES = 11
const MAX_DNS_MESSAGE = 65535

interface Frame {
  linkType: number
  bytes: Uint8Array
}

async function collectFrames(): Promise<Frame[]> {
  const frames: Frame[] = []
  const captures = corpusCaptures()
  for (const capture of captures) {
    if (frames.length >= MAX_FRAMES) break
    try {
      await readCapture(resolve(CORPUS_DIR, capture), (linkType, buf, off, capLen) => {
        if (frames.length < MAX_FRAMES) frames.push({ linkType, bytes: buf.slice(off, off + capLen) })
      })
    } catch {
      // damaged captures are part of the corpus; the frames read before the damage are kept
    }
  }
  return frames
}

/** One seeded mutation of a frame: anywhere in it, since link, IP, TCP and DNS fields all matter. */
function mutate(rand: () => number, src: Uint8Array): Uint8Array {
  const b = src.slice()
  switch (randInt(rand, 5)) {
    case 0: {
      const flips = 1 + randInt(rand, 8)
      for (let i = 0; i < flips; i++) b[randInt(rand, b.length)]! ^= 1 << randInt(rand, 8)
      return b
    }
    case 1:
      return b.subarray(0, randInt(rand, b.length))
    case 2: {
      // a 16-bit field near the end of the headers: counts, lengths, pointers
      const at = Math.max(0, b.length - 1 - randInt(rand, Math.min(b.length, 200)))
      const v = [0, 1, 0xff, 0x7fff, 0xffff, 0xc00c][randInt(rand, 6)]!
      b[at] = v >> 8
      if (at + 1 < b.length) b[at + 1] = v & 0xff
      return b
    }
    case 3: {
      // compression pointers to arbitrary places
      const at = randInt(rand, b.length)
      b[at] = 0xc0 | randInt(rand, 0x40)
      if (at + 1 < b.length) b[at + 1] = randInt(rand, 256)
      return b
    }
    default: {
      const at = randInt(rand, b.length)
      for (let i = at; i < Math.min(b.length, at + 16); i++) b[i] = randInt(rand, 256)
      return b
    }
  }
}

test('mutated real frames never throw and never yield more records than their bytes hold', async (t) => {
  if (!requireCorpus(t, 'real-packet mutation fuzzing')) return
  const frames = await collectFrames()
  assert.ok(frames.length > 1000, `collected only ${frames.length} frames`)
  const rand = prng(SEED)
  let perFrame = 0
  let worst = 0
  let totalObs = 0
  const sensor = new Sensor({ ports: new Set([53, 5353, 5355]), clientAddresses: true }, (o) => {
    perFrame++
    assert.equal(typeof o.rrname, 'string')
    assert.equal(typeof o.rrtype, 'string')
    assert.ok(o.rdata === null || typeof o.rdata === 'string')
  })
  let mutations = 0
  let slowest = 0 // reported, never asserted: tests do not judge wall-clock time
  for (const f of frames) {
    for (let i = 0; i < MUTATIONS_PER_FRAME; i++) {
      const m = mutate(rand, f.bytes)
      perFrame = 0
      const t0 = performance.now()
      sensor.onFrame(f.linkType, m, 0, m.length, m.length, 1_700_000_000_000_000 + mutations)
      slowest = Math.max(slowest, performance.now() - t0)
      mutations++
      // TCP reassembly may complete a message from earlier frames' bytes; bound by what was fed so far
      worst = Math.max(worst, perFrame)
      totalObs += perFrame
    }
  }
  sensor.flush()
  // TCP reassembly can complete one message (at most 65535 bytes) with a mutated frame
  assert.ok(
    worst <= Math.ceil(MAX_DNS_MESSAGE / MIN_RR_BYTES),
    `a mutated frame yielded ${worst} observations`,
  )
  const s = sensor.stats()
  t.diagnostic(
    `${mutations} mutations of ${frames.length} real frames: ${totalObs} observations, anomalies ${Object.keys(s.anomalies).length} kinds, slowest frame ${slowest.toFixed(2)} ms`,
  )
  assert.ok(Object.keys(s.anomalies).length > 3, 'mutations should surface several named anomalies')
  // the last-resort nets must stay idle: anything they catch is a bug, not hostile input
  assert.equal(s.anomalies['decoder.internal_error'], undefined)
  assert.equal(s.anomalies['parser.internal_error'], undefined)
})
