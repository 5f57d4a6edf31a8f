import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  A6,
  B6,
  bytes,
  collector,
  concat,
  dnsId,
  dnsQuery,
  ether,
  feed,
  ipv4,
  ipv6,
  MAC1,
  MAC2,
  u16,
  u32,
  u32le,
  udp,
  udpFrame,
} from './helpers.ts'

const v4udp = (id: number) => ipv4(17, udp(40000, 53, dnsQuery(id)))
const v6udp = (id: number) => ipv6(17, udp(40000, 53, dnsQuery(id)))

test('Ethernet IPv4 UDP to port 53 yields the DNS payload with addresses and ports', () => {
  const { dec, seen } = collector()
  feed(dec, 1, udpFrame(0x1234), 1_700_000_000_123_456)
  assert.equal(seen.length, 1)
  const s = seen[0]!
  assert.equal(dnsId(s.msg), 0x1234)
  assert.deepEqual(s.msg, dnsQuery(0x1234))
  assert.equal(s.info.transport, 'udp')
  assert.equal(s.info.ipVersion, 4)
  assert.equal(s.info.tsUs, 1_700_000_000_123_456)
  assert.equal(s.src, '192.0.2.1')
  assert.equal(s.dst, '198.51.100.7')
  assert.equal(s.info.srcPort, 40000)
  assert.equal(s.info.dstPort, 53)
  assert.equal(dec.frames, 1)
  assert.equal(dec.udpPayloads, 1)
})

test('responses from port 53 count as DNS too', () => {
  const { dec, seen } = collector()
  feed(dec, 1, udpFrame(7, 53, 33333))
  assert.equal(seen.length, 1)
  assert.equal(seen[0]!.info.srcPort, 53)
})

test('UDP on other ports is skipped as port.not_dns unless the port is configured', () => {
  const { dec, seen } = collector()
  feed(dec, 1, udpFrame(1, 40000, 5353))
  assert.equal(seen.length, 0)
  assert.equal(dec.skipped.get('port.not_dns'), 1)
  const withMdns = collector(new Set([53, 5353]))
  feed(withMdns.dec, 1, udpFrame(1, 5353, 5353))
  assert.equal(withMdns.seen.length, 1)
})

test('Ethernet padding after a short IP datagram is not part of the DNS payload', () => {
  const { dec, seen } = collector()
  const frame = concat(ether(0x0800, v4udp(9)), new Uint8Array(20).fill(0xab))
  feed(dec, 1, frame)
  assert.deepEqual(seen[0]!.msg, dnsQuery(9))
})

test('802.1Q, QinQ 0x88a8 and 0x9100 VLAN stacks are unwrapped', () => {
  const { dec, seen } = collector()
  feed(dec, 1, ether(0x0800, v4udp(1), [0x8100]))
  feed(dec, 1, ether(0x0800, v4udp(2), [0x88a8, 0x8100]))
  feed(dec, 1, ether(0x86dd, v6udp(3), [0x9100, 0x8100, 0x8100]))
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [1, 2, 3],
  )
  assert.equal(seen[2]!.info.ipVersion, 6)
})

test('a VLAN stack deeper than MAX_VLAN_TAGS is skipped, not followed', () => {
  const { dec, seen } = collector()
  feed(dec, 1, ether(0x0800, v4udp(1), Array(9).fill(0x8100)))
  assert.equal(seen.length, 0)
  assert.equal(dec.skipped.get('link.too_many_vlan_tags'), 1)
})

test('Ethernet IPv6 yields 16-byte addresses', () => {
  const { dec, seen } = collector()
  feed(dec, 1, ether(0x86dd, v6udp(5)))
  assert.equal(seen[0]!.src, '2001:db8:0:0:0:0:0:1')
  assert.equal(seen[0]!.dst, '2001:db8:0:0:0:0:0:53')
  assert.deepEqual(seen[0]!.info.addrBuf.subarray(seen[0]!.info.srcOff, seen[0]!.info.srcOff + 16), A6)
  assert.deepEqual(seen[0]!.info.addrBuf.subarray(seen[0]!.info.dstOff, seen[0]!.info.dstOff + 16), B6)
})

test('Linux SLL (113) and SLL2 (276) headers are decoded', () => {
  const { dec, seen } = collector()
  const sll = concat(u16(0), u16(1), u16(6), new Uint8Array(8), u16(0x0800))
  feed(dec, 113, concat(sll, v4udp(1)))
  const sll2 = concat(u16(0x86dd), u16(0), u32(3), u16(1), bytes(4, 6), new Uint8Array(8))
  feed(dec, 276, concat(sll2, v6udp(2)))
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [1, 2],
  )
})

test('raw IP link types (101, 12, 14) choose the version from the first nibble; 228/229 are fixed', () => {
  const { dec, seen } = collector()
  feed(dec, 101, v4udp(1))
  feed(dec, 101, v6udp(2))
  feed(dec, 12, v4udp(3))
  feed(dec, 14, v6udp(4))
  feed(dec, 228, v4udp(5))
  feed(dec, 229, v6udp(6))
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [1, 2, 3, 4, 5, 6],
  )
  feed(dec, 101, bytes(0x50, 0, 0, 0))
  assert.equal(dec.skipped.get('ip.not_ip'), 1)
})

test('BSD null loopback works in either writer byte order, with every AF_INET6 value', () => {
  const { dec, seen } = collector()
  feed(dec, 0, concat(u32le(2), v4udp(1)))
  feed(dec, 0, concat(u32(2), v4udp(2)))
  feed(dec, 0, concat(u32le(24), v6udp(3)))
  feed(dec, 0, concat(u32(28), v6udp(4)))
  feed(dec, 0, concat(u32le(30), v6udp(5)))
  feed(dec, 108, concat(u32(2), v4udp(6)))
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [1, 2, 3, 4, 5, 6],
  )
})

test('unsupported link types are counted by number, never thrown', () => {
  const { dec, seen } = collector()
  feed(dec, 147, udpFrame(1))
  feed(dec, 147, udpFrame(2))
  assert.equal(seen.length, 0)
  assert.equal(dec.skipped.get('link.unsupported:147'), 2)
})

test('non-IP EtherTypes (ARP) are skipped as ip.not_ip', () => {
  const { dec } = collector()
  feed(dec, 1, ether(0x0806, new Uint8Array(28)))
  assert.equal(dec.skipped.get('ip.not_ip'), 1)
})

test('MPLS label stacks and PPPoE sessions carry IP', () => {
  const { dec, seen } = collector()
  const labels = concat(u32((100 << 12) | (0 << 8) | 64), u32((200 << 12) | (1 << 8) | 64))
  feed(dec, 1, ether(0x8847, concat(labels, v4udp(1))))
  const pppoe = (proto: number, ip: Uint8Array) =>
    concat(bytes(0x11, 0), u16(1), u16(ip.length + 2), u16(proto), ip)
  feed(dec, 1, ether(0x8864, pppoe(0x0021, v4udp(2))))
  feed(dec, 1, ether(0x8864, pppoe(0x0057, v6udp(3))))
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [1, 2, 3],
  )
})

test('frames too short for their headers are skipped by reason', () => {
  const { dec, seen } = collector()
  feed(dec, 1, bytes(1, 2, 3))
  feed(dec, 113, bytes(1, 2, 3))
  feed(dec, 0, bytes(1))
  assert.equal(seen.length, 0)
  assert.equal(dec.skipped.get('link.bad_header'), 3)
})

const snap = (type: number) => concat(bytes(0xaa, 0xaa, 0x03, 0, 0, 0), u16(type))

test('802.3 frames with an LLC/SNAP header carry IP; other LLC frames are not IP', () => {
  const { dec, seen } = collector()
  const payload = concat(snap(0x0800), v4udp(1))
  feed(dec, 1, concat(MAC1, MAC2, u16(payload.length), payload))
  feed(dec, 1, concat(MAC1, MAC2, u16(38), bytes(0x42, 0x42, 0x03), new Uint8Array(35)))
  assert.equal(seen.length, 1)
  assert.equal(dec.skipped.get('ip.not_ip'), 1)
})

test('FDDI (10) frames carry IP behind LLC/SNAP', () => {
  const { dec, seen } = collector()
  feed(dec, 10, concat(bytes(0x50), MAC1, MAC2, snap(0x0800), v4udp(2)))
  assert.equal(dnsId(seen[0]!.msg), 2)
})

test('802.11 (105) and radiotap (127) data frames carry IP; protected and management frames do not', () => {
  const { dec, seen } = collector()
  const addrs = concat(MAC1, MAC2, MAC1)
  const data = concat(bytes(0x08, 0x01), u16(0), addrs, u16(0), snap(0x0800), v4udp(1))
  const qosWds = concat(bytes(0x88, 0x03), u16(0), addrs, u16(0), MAC2, u16(0), snap(0x86dd), v6udp(2))
  feed(dec, 105, data)
  feed(dec, 105, qosWds)
  const radiotap = concat(bytes(0, 0), bytes(12, 0), new Uint8Array(8))
  feed(dec, 127, concat(radiotap, data))
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [1, 2, 1],
  )
  const prot = data.slice()
  prot[1] = 0x41
  feed(dec, 105, prot)
  feed(dec, 105, concat(bytes(0x80, 0), new Uint8Array(40))) // beacon
  assert.equal(dec.skipped.get('wlan.protected'), 1)
  assert.equal(dec.skipped.get('wlan.not_data'), 1)
})
