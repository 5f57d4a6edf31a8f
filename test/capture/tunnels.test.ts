import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
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
  readAll,
  rng,
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

// ---- Geneve (RFC 8926) ----

/** A Geneve header: version 0, `options` (a multiple of 4 bytes), the O flag, then the payload. */
const geneve = (
  proto: number,
  payload: Uint8Array,
  o: { options?: Uint8Array; control?: boolean; version?: number } = {},
) => {
  const options = o.options ?? new Uint8Array(0)
  return concat(
    bytes(((o.version ?? 0) << 6) | (options.length >> 2), o.control ? 0x80 : 0),
    u16(proto),
    u32(0x123400), // VNI 0x1234, reserved
    options,
    payload,
  )
}
const onGeneve = (g: Uint8Array) => ether(0x0800, ipv4(17, udp(49152, 6081, g)))

test('Geneve on UDP 6081 carries bridged Ethernet, IPv4 and IPv6; its options are stepped over', () => {
  const { dec, seen } = collector()
  // one option: class 0x0102, type 3, 4 bytes of data; and the largest the 6-bit length allows
  const option = concat(u16(0x0102), bytes(3, 1), u32(0xdeadbeef))
  const most = new Uint8Array(63 * 4).fill(0xff)
  feed(dec, 1, onGeneve(geneve(0x6558, ether(0x0800, inner4(11)))))
  feed(dec, 1, onGeneve(geneve(0x0800, inner4(12), { options: option })))
  feed(dec, 1, onGeneve(geneve(0x86dd, inner6(13), { options: most })))
  assert.deepEqual(
    seen.map((x) => dnsId(x.msg)),
    [11, 12, 13],
  )
  assert.equal(seen[0]!.src, '10.0.0.1', 'the inner addresses are reported')
  assert.equal(seen[1]!.dst, '10.0.0.2')
})

test('Geneve control messages, other versions and unknown payload types are skipped by name', () => {
  const { dec, seen } = collector()
  feed(dec, 1, onGeneve(geneve(0x0800, inner4(1), { control: true })))
  feed(dec, 1, onGeneve(geneve(0x0800, inner4(2), { version: 1 })))
  feed(dec, 1, onGeneve(geneve(0x0806, new Uint8Array(28)))) // ARP
  assert.equal(seen.length, 0)
  assert.equal(dec.skipped.get('geneve.control'), 1)
  assert.equal(dec.skipped.get('geneve.unsupported'), 2)
})

test('a Geneve header cut short, or announcing options beyond the datagram, is geneve.bad_header', () => {
  const { dec, seen } = collector()
  feed(dec, 1, onGeneve(bytes(0, 0, 0x08, 0)))
  // 63 words of options announced, 8 bytes present
  feed(dec, 1, onGeneve(concat(bytes(0x3f, 0), u16(0x0800), u32(0), new Uint8Array(8))))
  assert.equal(seen.length, 0)
  assert.equal(dec.skipped.get('geneve.bad_header'), 2)
})

// ---- ERSPAN (GRE 0x88BE type I/II, 0x22EB type III) ----

/** An ERSPAN type III header: version 2, frame type `ft`, and the optional 8-byte subheader. */
const erspan3 = (ft: number, payload: Uint8Array, subheader = false) =>
  concat(
    u16((2 << 12) | 20), // version 2, VLAN 20
    u16(7), // session 7
    u32(5208), // timestamp
    u16(0), // security group tag
    bytes(0x80 | (ft << 2), subheader ? 1 : 0), // P, frame type, hardware id; D, granularity, O
    subheader ? new Uint8Array(8) : new Uint8Array(0),
    payload,
  )

test('ERSPAN type III carries a mirrored Ethernet frame, after the optional subheader, or an IP packet', () => {
  const { dec, seen } = collector()
  feed(dec, 228, ipv4(47, gre(0, 0x22eb, erspan3(0, ether(0x0800, inner4(21))))))
  feed(dec, 228, ipv4(47, gre(0x1000, 0x22eb, erspan3(0, ether(0x86dd, inner6(22)), true))))
  feed(dec, 228, ipv4(47, gre(0, 0x22eb, erspan3(2, inner4(23)))))
  assert.deepEqual(
    seen.map((x) => dnsId(x.msg)),
    [21, 22, 23],
  )
})

test('ERSPAN type I (no GRE sequence number) carries the mirrored frame with no header of its own', () => {
  const { dec, seen } = collector()
  feed(dec, 228, ipv4(47, gre(0, 0x88be, ether(0x0800, inner4(24)))))
  assert.equal(dnsId(seen[0]!.msg), 24)
})

test('ERSPAN headers of another version or frame type are erspan.unsupported; cut ones erspan.bad_header', () => {
  const { dec, seen } = collector()
  const typeIIv2 = concat(u32(0x20000001), u32(0)) // version 2 under the type II protocol
  feed(dec, 228, ipv4(47, gre(0x1000, 0x88be, concat(typeIIv2, ether(0x0800, inner4(1))))))
  feed(dec, 228, ipv4(47, gre(0, 0x22eb, erspan3(5, inner4(2))))) // frame type 5: reserved
  const typeIIIv1 = erspan3(0, ether(0x0800, inner4(3)))
  typeIIIv1[0] = 0x10
  feed(dec, 228, ipv4(47, gre(0, 0x22eb, typeIIIv1)))
  assert.equal(dec.skipped.get('erspan.unsupported'), 3)
  feed(dec, 228, ipv4(47, gre(0x1000, 0x88be, u32(0x10000001)))) // 4 of 8 header bytes
  feed(dec, 228, ipv4(47, gre(0, 0x22eb, erspan3(0, new Uint8Array(0), true).subarray(0, 15))))
  feed(dec, 228, ipv4(47, gre(0, 0x22eb, concat(u16((2 << 12) | 20), bytes(0, 7, 1, 2, 3)))))
  assert.equal(dec.skipped.get('erspan.bad_header'), 3)
  assert.equal(seen.length, 0)
})

test('Geneve and ERSPAN nested deeper than MAX_TUNNEL_DEPTH are an anomaly', () => {
  const { dec, seen } = collector()
  const nest = (levels: number) => {
    let pkt = inner4(31)
    for (let i = 0; i < levels; i++) {
      pkt =
        i % 2 === 0
          ? ipv4(17, udp(49152, 6081, geneve(0x0800, pkt)))
          : ipv4(47, gre(0, 0x22eb, erspan3(2, pkt)))
    }
    return pkt
  }
  feed(dec, 228, nest(MAX_TUNNEL_DEPTH))
  assert.equal(seen.length, 1)
  feed(dec, 228, nest(MAX_TUNNEL_DEPTH + 1))
  assert.equal(seen.length, 1)
  assert.equal(dec.anomalies.get('tunnel.too_deep'), 1)
})

test('every cut and thousands of corruptions of Geneve and ERSPAN frames are counted, never thrown', () => {
  const { dec } = collector()
  const frames = [
    onGeneve(geneve(0x6558, ether(0x0800, inner4(1)), { options: new Uint8Array(8) })),
    onGeneve(geneve(0x86dd, inner6(2))),
    ether(0x0800, ipv4(47, gre(0x1000, 0x88be, concat(u32(0x10000001), u32(0), ether(0x0800, inner4(3)))))),
    ether(0x0800, ipv4(47, gre(0x1000, 0x22eb, erspan3(0, ether(0x0800, inner4(4)), true)))),
    ether(0x0800, ipv4(47, gre(0, 0x22eb, erspan3(2, inner6(5))))),
  ]
  const rand = rng(6081)
  let decoded = 0
  for (const frame of frames) {
    // cut anywhere: the IP and UDP lengths still claim the whole frame, as in a snaplen cut
    for (let len = 0; len <= frame.length; len++) {
      feed(dec, 1, frame.subarray(0, len), 1_000_000, frame.length)
      decoded++
    }
    // the tunnel headers sit in the first 80 bytes: corrupt there, a few bytes at a time
    for (let i = 0; i < 2000; i++) {
      const bad = frame.slice()
      for (let k = 1 + Math.floor(rand() * 4); k > 0; k--)
        bad[Math.floor(rand() * Math.min(80, bad.length))] = Math.floor(rand() * 256)
      feed(dec, 1, bad)
      decoded++
    }
  }
  assert.equal(dec.anomalies.get('decoder.internal_error'), 0)
  assert.ok(decoded > 10_000)
})

// ---- public captures (test/fixtures/tunnels/README.md) ----

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/tunnels/${name}`, import.meta.url))

/** Decodes a capture with `ports` as DNS ports; what reached the sink, and the decoder. */
async function decodeFile(name: string, ports: number[] = [53]) {
  const { frames, err } = await readAll(fixture(name))
  assert.equal(err, null)
  const { dec, seen } = collector(new Set(ports))
  for (const f of frames) feed(dec, f.linkType, f.data, f.tsUs, f.origLen)
  return { frames: frames.length, dec, seen }
}

test('public ERSPAN type I, II and III captures: every mirrored packet is reached', async () => {
  // their inner packets are ICMP: each frame ends at the inner IP header, counted as not UDP/TCP
  for (const [name, count] of [
    ['erspanI.pcap', 10],
    ['erspanII.pcap', 4],
    ['erspanIII.pcap', 2],
    ['gre-erspan3-dot1q.pcap', 2],
  ] as const) {
    const { frames, dec } = await decodeFile(name)
    assert.equal(frames, count, name)
    assert.deepEqual(dec.skipped.toJSON(), { 'l4.not_udp_tcp': count }, name)
    assert.equal(dec.anomalies.total(), 0, name)
  }
})

test('public Geneve captures: Ethernet, IPv4 and IPv6 payloads are reached with their inner addresses', async () => {
  const icmp = await decodeFile('geneve.pcap')
  assert.deepEqual(icmp.dec.skipped.toJSON(), { 'l4.not_udp_tcp': 6 })

  const v6 = await decodeFile('geneve-ipv6.pcap', [40000])
  assert.deepEqual(
    v6.seen.map((x) => `${x.src} ${x.info.srcPort} > ${x.dst} ${x.info.dstPort}`),
    [
      'fd00:0:0:0:0:0:0:1 40000 > fd00:0:0:0:0:0:0:2 40001',
      'fd00:0:0:0:0:0:0:2 40001 > fd00:0:0:0:0:0:0:1 40000',
    ],
  )

  const tagged = await decodeFile('geneve-tagged-udp-packet.pcap', [31337])
  assert.equal(tagged.frames, 4)
  assert.deepEqual(tagged.seen.map((x) => `${x.src} ${x.info.srcPort} > ${x.dst} ${x.info.dstPort}`).sort(), [
    '127.0.0.1 12345 > 127.0.0.1 31337',
    '127.0.0.1 12345 > 127.0.0.1 31337',
    '127.0.0.1 31337 > 127.0.0.1 12345',
    '127.0.0.1 31337 > 127.0.0.1 12345',
  ])
})
