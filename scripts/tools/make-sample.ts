/**
 * Builds test/fixtures/sample.pcap: a small, deterministic capture of a resolver answering a
 * handful of typical questions (A with a CNAME chain, AAAA, MX, TXT, NXDOMAIN with SOA, NODATA,
 * and one exchange over TCP). It is the embedded default that `npm start` parses, and a fixture
 * for the CLI tests. Run: node scripts/tools/make-sample.ts
 */
import { writeFileSync } from 'node:fs'
import dnsPacket from 'dns-packet'

const RESOLVER = [192, 0, 2, 53]
const CLIENT = [198, 51, 100, 7]
const T0 = 1_767_225_600 // 2026-01-01T00:00:00Z

type Answer = dnsPacket.Answer

function response(
  id: number,
  name: string,
  type: string,
  rcode: string,
  answers: Answer[],
  authorities: Answer[] = [],
) {
  return dnsPacket.encode({
    type: 'response',
    id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (rcode === 'NXDOMAIN' ? 3 : 0),
    questions: [{ name, type: type as dnsPacket.RecordType, class: 'IN' }],
    answers,
    authorities,
  })
}

function query(id: number, name: string, type: string) {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as dnsPacket.RecordType, class: 'IN' }],
  })
}

const soa: Answer = {
  name: 'example.com',
  type: 'SOA',
  ttl: 3600,
  data: {
    mname: 'ns1.example.com',
    rname: 'hostmaster.example.com',
    serial: 2026010101,
    refresh: 7200,
    retry: 900,
    expire: 1209600,
    minimum: 300,
  },
}

const exchanges: { q: Buffer; r: Buffer; tcp?: boolean }[] = [
  {
    q: query(1, 'www.example.com', 'A'),
    r: response(1, 'www.example.com', 'A', 'NOERROR', [
      { name: 'www.example.com', type: 'CNAME', ttl: 300, data: 'web.example.net' },
      { name: 'web.example.net', type: 'A', ttl: 60, data: '203.0.113.10' },
      { name: 'web.example.net', type: 'A', ttl: 60, data: '203.0.113.11' },
    ]),
  },
  {
    q: query(2, 'www.example.com', 'AAAA'),
    r: response(2, 'www.example.com', 'AAAA', 'NOERROR', [
      { name: 'www.example.com', type: 'CNAME', ttl: 300, data: 'web.example.net' },
      { name: 'web.example.net', type: 'AAAA', ttl: 60, data: '2001:db8::10' },
    ]),
  },
  {
    q: query(3, 'example.com', 'MX'),
    r: response(3, 'example.com', 'MX', 'NOERROR', [
      { name: 'example.com', type: 'MX', ttl: 3600, data: { preference: 10, exchange: 'mail.example.com' } },
    ]),
  },
  {
    q: query(4, 'example.com', 'TXT'),
    r: response(4, 'example.com', 'TXT', 'NOERROR', [
      { name: 'example.com', type: 'TXT', ttl: 3600, data: ['v=spf1 -all'] },
    ]),
  },
  {
    q: query(5, 'nope.example.com', 'A'),
    r: response(5, 'nope.example.com', 'A', 'NXDOMAIN', [], [soa]),
  },
  {
    q: query(6, 'example.com', 'CAA'),
    r: response(6, 'example.com', 'CAA', 'NOERROR', [], [soa]),
  },
  {
    q: query(7, 'example.com', 'NS'),
    r: response(7, 'example.com', 'NS', 'NOERROR', [
      { name: 'example.com', type: 'NS', ttl: 86400, data: 'ns1.example.com' },
      { name: 'example.com', type: 'NS', ttl: 86400, data: 'ns2.example.net' },
    ]),
    tcp: true,
  },
]

function checksum16(bytes: Uint8Array): number {
  let sum = 0
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0)
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return ~sum & 0xffff
}

function ipv4(src: number[], dst: number[], proto: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(20)
  h[0] = 0x45
  h.writeUInt16BE(20 + payload.length, 2)
  h[8] = 64
  h[9] = proto
  h.set(src, 12)
  h.set(dst, 16)
  h.writeUInt16BE(checksum16(h), 10)
  return Buffer.concat([h, payload])
}

function udp(sport: number, dport: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8)
  h.writeUInt16BE(sport, 0)
  h.writeUInt16BE(dport, 2)
  h.writeUInt16BE(8 + payload.length, 4)
  return Buffer.concat([h, payload]) // checksum 0: legal for IPv4
}

function tcp(sport: number, dport: number, seq: number, ack: number, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(20)
  h.writeUInt16BE(sport, 0)
  h.writeUInt16BE(dport, 2)
  h.writeUInt32BE(seq >>> 0, 4)
  h.writeUInt32BE(ack >>> 0, 8)
  h[12] = 5 << 4
  h[13] = flags
  h.writeUInt16BE(65535, 14)
  return Buffer.concat([h, payload])
}

function ether(ip: Buffer): Buffer {
  const h = Buffer.from([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00])
  return Buffer.concat([h, ip])
}

const frames: Buffer[] = []
let port = 40000
for (const ex of exchanges) {
  port += 1
  if (ex.tcp) {
    const SYN = 0x02
    const ACK = 0x10
    const PSH = 0x08
    const cs = 1000
    const ss = 5000
    const lq = Buffer.alloc(2)
    lq.writeUInt16BE(ex.q.length)
    const lr = Buffer.alloc(2)
    lr.writeUInt16BE(ex.r.length)
    const c2s = (seq: number, ack: number, flags: number, p: Buffer) =>
      frames.push(ether(ipv4(CLIENT, RESOLVER, 6, tcp(port, 53, seq, ack, flags, p))))
    const s2c = (seq: number, ack: number, flags: number, p: Buffer) =>
      frames.push(ether(ipv4(RESOLVER, CLIENT, 6, tcp(53, port, seq, ack, flags, p))))
    c2s(cs, 0, SYN, Buffer.alloc(0))
    s2c(ss, cs + 1, SYN | ACK, Buffer.alloc(0))
    c2s(cs + 1, ss + 1, ACK | PSH, Buffer.concat([lq, ex.q]))
    // the response split over two segments, as a server writing the length first does
    s2c(ss + 1, cs + 3 + ex.q.length, ACK | PSH, lr)
    s2c(ss + 3, cs + 3 + ex.q.length, ACK | PSH, ex.r)
  } else {
    frames.push(ether(ipv4(CLIENT, RESOLVER, 17, udp(port, 53, ex.q))))
    frames.push(ether(ipv4(RESOLVER, CLIENT, 17, udp(53, port, ex.r))))
  }
}

const header = Buffer.alloc(24)
header.writeUInt32LE(0xa1b2c3d4, 0)
header.writeUInt16LE(2, 4)
header.writeUInt16LE(4, 6)
header.writeUInt32LE(65535, 16)
header.writeUInt32LE(1, 20) // Ethernet
const records = frames.map((f, i) => {
  const r = Buffer.alloc(16)
  r.writeUInt32LE(T0 + i, 0)
  r.writeUInt32LE(1000 * i, 4)
  r.writeUInt32LE(f.length, 8)
  r.writeUInt32LE(f.length, 12)
  return Buffer.concat([r, f])
})
const out = new URL('../../test/fixtures/sample.pcap', import.meta.url)
writeFileSync(out, Buffer.concat([header, ...records]))
process.stdout.write(`wrote ${out.pathname}: ${frames.length} frames\n`)
