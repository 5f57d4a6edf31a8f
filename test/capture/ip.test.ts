import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MAX_IPV6_EXT_HEADERS } from '../../node/capture/index.ts'
import {
  bytes,
  collector,
  concat,
  dnsId,
  dnsQuery,
  ether,
  feed,
  fragHeader,
  ipv4,
  ipv6,
  optsHeader,
  udp,
} from './helpers.ts'

const q = (id: number) => udp(40000, 53, dnsQuery(id))

test('IPv6 hop-by-hop, routing, destination options and AH headers are walked to UDP', () => {
  const { dec, seen } = collector()
  // AH: payload-length byte counts 4-byte words minus 2, so 2 means 16 bytes in all
  const ahBody = concat(bytes(2), new Uint8Array(14))
  feed(
    dec,
    229,
    ipv6(17, q(1), {
      ext: [
        [0, optsHeader()],
        [43, optsHeader()],
        [51, ahBody],
        [60, optsHeader()],
      ],
    }),
  )
  assert.equal(seen.length, 1)
  assert.equal(dnsId(seen[0]!.msg), 1)
})

test('ESP and no-next-header stop decoding with their own skip reasons', () => {
  const { dec, seen } = collector()
  feed(dec, 229, ipv6(50, new Uint8Array(32)))
  feed(dec, 229, ipv6(59, new Uint8Array(0)))
  feed(dec, 228, ipv4(50, new Uint8Array(32)))
  assert.equal(seen.length, 0)
  assert.equal(dec.skipped.get('ip.esp'), 2)
  assert.equal(dec.skipped.get('ip.no_next_header'), 1)
})

test('an IPv6 extension chain longer than MAX_IPV6_EXT_HEADERS is an anomaly, not a hang', () => {
  const { dec, seen } = collector()
  const ext = Array.from(
    { length: MAX_IPV6_EXT_HEADERS + 1 },
    () => [60, optsHeader()] as [number, Uint8Array],
  )
  feed(dec, 229, ipv6(17, q(1), { ext }))
  assert.equal(seen.length, 0)
  assert.equal(dec.anomalies.get('ipv6.ext_header_loop'), 1)
})

test('an atomic IPv6 fragment header (offset 0, no more) is just skipped over', () => {
  const { dec, seen } = collector()
  feed(dec, 229, ipv6(17, q(4), { ext: [[44, fragHeader(0, false, 99)]] }))
  assert.equal(dnsId(seen[0]!.msg), 4)
})

test('a datagram cut by the snaplen yields nothing and is counted as truncated.snaplen', () => {
  const { dec, seen } = collector()
  const frame = ether(0x0800, ipv4(17, q(1)))
  const cut = frame.subarray(0, frame.length - 10)
  feed(dec, 1, cut, 0, frame.length)
  assert.equal(seen.length, 0)
  assert.equal(dec.skipped.get('truncated.snaplen'), 1)
})

test('a datagram claiming more bytes than the (uncut) frame holds is ip.bad_length', () => {
  const { dec, seen } = collector()
  feed(dec, 228, ipv4(17, q(1), { totalLen: 400 }))
  assert.equal(seen.length, 0)
  assert.equal(dec.skipped.get('ip.bad_length'), 1)
})

test('bad IPv4 headers (version, IHL, length below IHL) are skipped as ip.bad_header', () => {
  const { dec } = collector()
  const good = ipv4(17, q(1))
  const badVersion = good.slice()
  badVersion[0] = 0x55
  const badIhl = good.slice()
  badIhl[0] = 0x44
  feed(dec, 1, ether(0x0800, badVersion))
  feed(dec, 1, ether(0x0800, badIhl))
  feed(dec, 228, ipv4(17, q(1), { totalLen: 12 }))
  assert.equal(dec.skipped.get('ip.bad_header'), 3)
})

test('UDP length beyond the IP payload is udp.bad_length; UDP length below it trims trailing bytes', () => {
  const { dec, seen } = collector()
  const u = udp(40000, 53, dnsQuery(1))
  const long = u.slice()
  long[5] = long[5]! + 50
  feed(dec, 228, ipv4(17, long))
  assert.equal(dec.skipped.get('udp.bad_length'), 1)
  feed(dec, 228, ipv4(17, concat(u, bytes(1, 2, 3))))
  assert.deepEqual(seen[0]!.msg, dnsQuery(1))
})

test('protocols other than UDP and TCP are skipped as l4.not_udp_tcp', () => {
  const { dec } = collector()
  feed(dec, 228, ipv4(1, new Uint8Array(8)))
  feed(dec, 229, ipv6(58, new Uint8Array(8)))
  assert.equal(dec.skipped.get('l4.not_udp_tcp'), 2)
})
