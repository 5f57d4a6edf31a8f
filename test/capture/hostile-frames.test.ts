import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MAX_IPV6_EXT_HEADERS, PacketDecoder } from '../../node/capture/index.ts'
import {
  A,
  ACK,
  B,
  collector,
  concat,
  dnsId,
  dnsQuery,
  ether,
  feed,
  framed,
  ipv4,
  ipv6,
  optsHeader,
  tcp,
  u32,
  udp,
} from './helpers.ts'

const SYN = 0x02
const PSH_ACK = 0x18

test('thousands of nested LLC/SNAP headers are skipped, not recursed into', () => {
  const { dec, seen } = collector()
  const depth = 5000
  const frame = new Uint8Array(14 + 8 * depth)
  frame[13] = 5 // an 802.3 length: LLC follows
  for (let i = 0; i < depth; i++) frame.set([0xaa, 0xaa, 3, 0, 0, 0, 0, 5], 14 + 8 * i)
  assert.doesNotThrow(() => feed(dec, 1, frame))
  assert.equal(seen.length, 0)
  assert.equal(dec.skipped.get('link.nested_llc'), 1)
})

test('exactly MAX_IPV6_EXT_HEADERS extension headers are walked; one more is refused', () => {
  const ext = (n: number) => Array.from({ length: n }, () => [60, optsHeader()] as [number, Uint8Array])
  const ok = collector()
  feed(ok.dec, 1, ether(0x86dd, ipv6(17, udp(40000, 53, dnsQuery(1)), { ext: ext(MAX_IPV6_EXT_HEADERS) })))
  assert.equal(ok.seen.length, 1)
  const tooMany = collector()
  feed(
    tooMany.dec,
    1,
    ether(0x86dd, ipv6(17, udp(40000, 53, dnsQuery(1)), { ext: ext(MAX_IPV6_EXT_HEADERS + 1) })),
  )
  assert.equal(tooMany.seen.length, 0)
  assert.equal(tooMany.dec.anomalies.get('ipv6.ext_header_loop'), 1)
})

test('a TCP message released by the peer ACKing a capture hole keeps its own direction', () => {
  const { dec, seen } = collector()
  const isn = 1000
  const c2s = (seq: number, flags: number, p: Uint8Array = new Uint8Array(0)) =>
    ether(0x0800, ipv4(6, tcp(40000, 53, seq, flags, p), { src: A, dst: B }))
  feed(dec, 1, c2s(isn, SYN), 1)
  const msg = framed(dnsQuery(9))
  feed(dec, 1, c2s(isn + 1 + 100, PSH_ACK, msg), 2) // the 100 bytes before it were never captured
  const ack = tcp(53, 40000, 5000, ACK, new Uint8Array(0))
  ack.set(u32(isn + 1 + 100 + msg.length), 8) // the server acknowledges past the hole
  feed(dec, 1, ether(0x0800, ipv4(6, ack, { src: B, dst: A })), 3)
  assert.equal(seen.length, 1)
  assert.equal(dnsId(seen[0]!.msg), 9)
  assert.equal(seen[0]!.src, '192.0.2.1')
  assert.equal(seen[0]!.info.srcPort, 40000)
  assert.equal(seen[0]!.dst, '198.51.100.7')
  assert.equal(seen[0]!.info.dstPort, 53)
  assert.equal(dec.anomalies.get('tcp.gap'), 1)
})

test("an exception thrown by the DNS sink reaches the caller unchanged (the decoder's net is for its own bugs)", () => {
  const boom = new Error('sink failed')
  const dec = new PacketDecoder({ ports: new Set([53]) }, () => {
    throw boom
  })
  const frame = ether(0x0800, ipv4(17, udp(40000, 53, dnsQuery(1))))
  assert.throws(
    () => dec.decode(1, frame, 0, frame.length, frame.length, 0),
    (e) => e === boom,
  )
  assert.equal(dec.anomalies.get('decoder.internal_error'), 0)
  // and the decoder goes on working afterwards
  const ok = collector()
  feed(ok.dec, 1, concat(frame))
  assert.equal(ok.seen.length, 1)
})
