import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FRAGMENT_TIMEOUT_US, MAX_FRAGMENT_BYTES, MAX_FRAGMENT_GROUPS } from '../../node/capture/index.ts'
import { collector, dnsId, dnsQuery, feed, fragHeader, ipv4, ipv6, rng, udp } from './helpers.ts'

/** A UDP datagram long enough to need several fragments: a query padded with a long name. */
function bigDatagram(id: number): Uint8Array {
  return udp(53, 40000, dnsQuery(id, `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.example`))
}

/** IPv4 fragments of `payload`, `size` bytes each (multiple of 8). */
function v4frags(payload: Uint8Array, size: number, id: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let off = 0; off < payload.length; off += size) {
    const part = payload.subarray(off, Math.min(off + size, payload.length))
    out.push(ipv4(17, part, { id, fragOffset: off, more: off + size < payload.length }))
  }
  return out
}

function v6frags(payload: Uint8Array, size: number, id: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let off = 0; off < payload.length; off += size) {
    const part = payload.subarray(off, Math.min(off + size, payload.length))
    out.push(ipv6(17, part, { ext: [[44, fragHeader(off, off + size < payload.length, id)]] }))
  }
  return out
}

test('IPv4 fragments in order are reassembled into one DNS payload', () => {
  const { dec, seen } = collector()
  const dg = bigDatagram(77)
  const frags = v4frags(dg, 64, 5)
  assert.ok(frags.length >= 3)
  for (const f of frags) feed(dec, 228, f)
  assert.equal(seen.length, 1)
  assert.deepEqual(seen[0]!.msg, dg.subarray(8))
  assert.equal(seen[0]!.src, '192.0.2.1')
  assert.equal(seen[0]!.info.srcPort, 53)
  assert.equal(dec.skipped.get('ip.fragment'), frags.length - 1)
  assert.equal(dec.pendingFragments, 0)
})

test('IPv4 fragments in a seeded random order are reassembled', () => {
  const r = rng(42)
  for (let round = 0; round < 20; round++) {
    const { dec, seen } = collector()
    const dg = bigDatagram(round)
    const frags = v4frags(dg, 24, 1000 + round)
    for (let i = frags.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1))
      ;[frags[i], frags[j]] = [frags[j]!, frags[i]!]
    }
    for (const f of frags) feed(dec, 228, f)
    assert.equal(seen.length, 1, `round ${round}`)
    assert.deepEqual(seen[0]!.msg, dg.subarray(8))
  }
})

test('IPv6 fragments are reassembled, out of order too', () => {
  const { dec, seen } = collector()
  const dg = bigDatagram(66)
  const frags = v6frags(dg, 80, 0xdeadbeef)
  frags.reverse()
  for (const f of frags) feed(dec, 229, f)
  assert.equal(seen.length, 1)
  assert.equal(dnsId(seen[0]!.msg), 66)
  assert.equal(seen[0]!.info.ipVersion, 6)
  assert.equal(seen[0]!.src, '2001:db8:0:0:0:0:0:1')
})

test('overlapping fragments: the bytes received first win, and the overlap is counted', () => {
  const { dec, seen } = collector()
  const dg = bigDatagram(3)
  const frags = v4frags(dg, 64, 9)
  // a rogue fragment rewriting bytes 64..127 with garbage, sent before the genuine one
  const rogue = ipv4(17, new Uint8Array(64).fill(0x41), { id: 9, fragOffset: 64, more: true })
  feed(dec, 228, frags[0]!)
  feed(dec, 228, rogue)
  for (const f of frags.slice(1)) feed(dec, 228, f)
  assert.equal(seen.length, 1)
  assert.equal(dec.anomalies.get('frag.overlap'), 1)
  const expected = dg.slice(8)
  expected.fill(0x41, 64 - 8, 128 - 8)
  assert.deepEqual(seen[0]!.msg, expected)
})

test('a duplicate fragment is harmless (counted as overlap)', () => {
  const { dec, seen } = collector()
  const frags = v4frags(bigDatagram(4), 64, 10)
  feed(dec, 228, frags[1]!)
  for (const f of frags) feed(dec, 228, f)
  assert.equal(seen.length, 1)
  assert.equal(dec.anomalies.get('frag.overlap'), 1)
})

test('fragments older than FRAGMENT_TIMEOUT_US are dropped and counted', () => {
  const { dec, seen } = collector()
  const frags = v4frags(bigDatagram(5), 64, 11)
  feed(dec, 228, frags[0]!, 1_000_000)
  const later = 1_000_000 + FRAGMENT_TIMEOUT_US + 1
  for (const f of frags.slice(1)) feed(dec, 228, f, later)
  assert.equal(seen.length, 0)
  assert.equal(dec.anomalies.get('frag.timeout'), 1)
})

test('more than MAX_FRAGMENT_GROUPS pending datagrams evict the oldest', () => {
  const { dec, seen } = collector()
  const dg = bigDatagram(6)
  for (let id = 0; id <= MAX_FRAGMENT_GROUPS; id++) feed(dec, 228, v4frags(dg, 64, id)[0]!)
  assert.equal(dec.anomalies.get('frag.too_many'), 1)
  assert.equal(dec.pendingFragments, MAX_FRAGMENT_GROUPS)
  // the evicted (oldest) one cannot complete, the newest can
  for (const f of v4frags(dg, 64, 0).slice(1)) feed(dec, 228, f)
  for (const f of v4frags(dg, 64, MAX_FRAGMENT_GROUPS).slice(1)) feed(dec, 228, f)
  assert.equal(seen.length, 1)
})

test('flush counts incomplete datagrams', () => {
  const { dec } = collector()
  feed(dec, 228, v4frags(bigDatagram(1), 64, 1)[0]!)
  dec.flush()
  assert.equal(dec.anomalies.get('frag.incomplete'), 1)
  assert.equal(dec.pendingFragments, 0)
})

test('a fragment reaching past 65535 bytes is dropped as frag.too_big', () => {
  const { dec } = collector()
  feed(dec, 228, ipv4(17, new Uint8Array(64), { id: 1, fragOffset: 65528, more: false }))
  assert.equal(dec.anomalies.get('frag.too_big'), 1)
})

test('fragments of different datagrams (ids) do not mix', () => {
  const { dec, seen } = collector()
  const a = v4frags(bigDatagram(1), 64, 1)
  const b = v4frags(bigDatagram(2), 64, 2)
  const order = a.flatMap((f, i) => [f, b[i]!])
  for (const f of order) feed(dec, 228, f)
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [1, 2],
  )
})

test('one-byte fragments are charged their per-piece overhead, so they cannot hold far more memory than MAX_FRAGMENT_BYTES', () => {
  const { dec } = collector()
  // 1-byte fragments at every 8th offset of datagrams that never complete; one frame, patched in place
  const frame = ipv4(17, new Uint8Array(1), { id: 0, fragOffset: 0, more: true })
  const groups = 12
  const perGroup = 8190
  for (let g = 0; g < groups; g++) {
    frame[4] = 0
    frame[5] = g
    for (let i = 0; i < perGroup; i++) {
      frame[6] = 0x20 | (i >> 8) // more fragments, offset i * 8
      frame[7] = i & 255
      dec.decode(228, frame, 0, frame.length, frame.length, 1_000_000)
    }
  }
  // ~98k payload bytes in all, far below the budget: only the per-piece cost can exhaust it
  assert.ok(groups * perGroup < MAX_FRAGMENT_BYTES / 100)
  assert.ok(dec.anomalies.get('frag.too_many') > 0, 'the pieces must count against MAX_FRAGMENT_BYTES')
  assert.ok(dec.pendingFragments < groups)
})

test('IPv6 fragments whose Next Header values differ are one datagram, read with the offset-0 value', () => {
  // RFC 8200 §4.5: only the first fragment's Next Header counts; later ones may say anything.
  const { dec, seen } = collector()
  const dg = bigDatagram(88)
  const frags: Uint8Array[] = []
  for (let off = 0, i = 0; off < dg.length; off += 80, i++) {
    const part = dg.subarray(off, Math.min(off + 80, dg.length))
    const next = off === 0 ? 17 : i % 2 === 0 ? 59 : 6
    frags.push(ipv6(next, part, { ext: [[44, fragHeader(off, off + 80 < dg.length, 0xfeed)]] }))
  }
  assert.ok(frags.length >= 3)
  // the offset-0 fragment last, so the group cannot take its protocol from whichever came first
  frags.push(frags.shift()!)
  for (const f of frags) feed(dec, 229, f)
  assert.equal(seen.length, 1)
  assert.equal(dnsId(seen[0]!.msg), 88)
  assert.equal(seen[0]!.info.transport, 'udp')
  assert.equal(dec.pendingFragments, 0)
})

test('IPv4 fragments with different protocols stay separate datagrams (RFC 791 keys on protocol)', () => {
  const { dec, seen } = collector()
  const frags = v4frags(bigDatagram(89), 64, 12)
  // same src, dst and id, but protocol 6: not part of the UDP datagram
  const other = ipv4(6, frags[1]!.subarray(20), { id: 12, fragOffset: 64, more: true })
  feed(dec, 228, frags[0]!)
  feed(dec, 228, other)
  for (const f of frags.slice(1)) feed(dec, 228, f)
  assert.equal(seen.length, 1)
  assert.equal(dec.anomalies.get('frag.overlap'), 0)
  assert.equal(dec.pendingFragments, 1)
})
