import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MAX_TUNNEL_DEPTH } from '../../node/capture/index.ts'
import {
  bytes,
  collector,
  concat,
  dnsId,
  dnsQuery,
  ether,
  feed,
  ip4,
  ipv4,
  ipv6,
  u16,
  u32,
  udp,
} from './helpers.ts'

const inner4 = (id: number) =>
  ipv4(17, udp(40000, 53, dnsQuery(id)), { src: ip4('10.0.0.1'), dst: ip4('10.0.0.2') })
const inner6 = (id: number) => ipv6(17, udp(40000, 53, dnsQuery(id)))

const gre = (flags: number, proto: number, payload: Uint8Array) => {
  const extra: Uint8Array[] = []
  if (flags & 0x8000) extra.push(u32(0))
  if (flags & 0x2000) extra.push(u32(0x1234))
  if (flags & 0x1000) extra.push(u32(7))
  return concat(u16(flags), u16(proto), ...extra, payload)
}

test('GRE carries IPv4, IPv6 and bridged Ethernet, with optional checksum, key and sequence', () => {
  const { dec, seen } = collector()
  feed(dec, 1, ether(0x0800, ipv4(47, gre(0, 0x0800, inner4(1)))))
  feed(dec, 1, ether(0x0800, ipv4(47, gre(0x8000 | 0x2000 | 0x1000, 0x86dd, inner6(2)))))
  feed(dec, 1, ether(0x0800, ipv4(47, gre(0x2000, 0x6558, ether(0x0800, inner4(3))))))
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [1, 2, 3],
  )
  // the inner addresses are reported
  assert.equal(seen[0]!.src, '10.0.0.1')
})

test('GRE version 1 (PPTP) is skipped as gre.unsupported', () => {
  const { dec, seen } = collector()
  feed(dec, 228, ipv4(47, gre(0x0001, 0x880b, new Uint8Array(20))))
  assert.equal(seen.length, 0)
  assert.equal(dec.skipped.get('gre.unsupported'), 1)
})

test('ERSPAN type II over GRE carries the mirrored Ethernet frame', () => {
  const { dec, seen } = collector()
  const erspan = concat(u32(0x10000001), u32(0))
  feed(dec, 228, ipv4(47, gre(0x1000, 0x88be, concat(erspan, ether(0x0800, inner4(8))))))
  assert.equal(dnsId(seen[0]!.msg), 8)
})

test('VXLAN on UDP 4789 carries an inner Ethernet frame', () => {
  const { dec, seen } = collector()
  const vx = concat(bytes(0x08, 0, 0, 0), u32(42 << 8))
  feed(dec, 1, ether(0x0800, ipv4(17, udp(55555, 4789, concat(vx, ether(0x0800, inner4(4)))))))
  assert.equal(seen.length, 1)
  assert.equal(dnsId(seen[0]!.msg), 4)
  assert.equal(seen[0]!.dst, '10.0.0.2')
})

test('IP-in-IP (4) and IPv6-in-IPv4 (41) are unwrapped', () => {
  const { dec, seen } = collector()
  feed(dec, 228, ipv4(4, inner4(5)))
  feed(dec, 228, ipv4(41, inner6(6)))
  assert.deepEqual(
    seen.map((s) => dnsId(s.msg)),
    [5, 6],
  )
})

test('GTP-U G-PDUs on UDP 2152 carry IP, with or without the optional fields', () => {
  const { dec, seen } = collector()
  const ip = inner4(7)
  const plain = concat(bytes(0x30, 0xff), u16(ip.length), u32(1), ip)
  const withSeq = concat(bytes(0x32, 0xff), u16(ip.length + 4), u32(1), u16(9), bytes(0, 0), ip)
  feed(dec, 228, ipv4(17, udp(2152, 2152, plain)))
  feed(dec, 228, ipv4(17, udp(2152, 2152, withSeq)))
  assert.equal(seen.length, 2)
})

test('Teredo (UDP 3544) carries IPv6', () => {
  const { dec, seen } = collector()
  const origin = concat(bytes(0, 0), u16(0), u32(0))
  feed(dec, 228, ipv4(17, udp(3544, 50000, concat(origin, inner6(9)))))
  assert.equal(dnsId(seen[0]!.msg), 9)
})

test('tunnels nested deeper than MAX_TUNNEL_DEPTH are an anomaly', () => {
  const { dec, seen } = collector()
  let pkt = inner4(1)
  for (let i = 0; i <= MAX_TUNNEL_DEPTH; i++) pkt = ipv4(4, pkt)
  feed(dec, 228, pkt)
  assert.equal(seen.length, 0)
  assert.equal(dec.anomalies.get('tunnel.too_deep'), 1)
  let ok = inner4(2)
  for (let i = 0; i < MAX_TUNNEL_DEPTH; i++) ok = ipv4(4, ok)
  feed(dec, 228, ok)
  assert.equal(seen.length, 1)
})

test('GRE-in-UDP (RFC 8086, port 4754) is unwrapped like GRE', () => {
  const { dec, seen } = collector()
  feed(dec, 228, ipv4(17, udp(50000, 4754, gre(0, 0x0800, inner4(10)))))
  assert.equal(dnsId(seen[0]!.msg), 10)
})
