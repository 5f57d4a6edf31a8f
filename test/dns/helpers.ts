/** Builders for DNS test messages: raw bytes by hand (full control, hostile shapes) or via dns-packet. */
import dnsPacket from 'dns-packet'
import type { PacketInfo } from '../../node/capture/types.ts'
import type { Observation } from '../../node/dns/observation.ts'
import { DnsParser, type DnsParserOptions } from '../../node/dns/parser.ts'

/** Wire form of a dotted name ('.' is the root); labels may hold any octets via \\DDD-free strings. */
export function wireName(name: string): number[] {
  if (name === '.' || name === '') return [0]
  const out: number[] = []
  for (const label of name.split('.')) {
    out.push(label.length)
    for (const ch of label) out.push(ch.charCodeAt(0))
  }
  out.push(0)
  return out
}

export function u16(n: number): number[] {
  return [(n >> 8) & 255, n & 255]
}

export function u32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]
}

/** One RR: owner bytes (name or pointer), type, class, TTL, RDATA (RDLENGTH computed unless given). */
export function rr(
  owner: number[],
  type: number,
  cls: number,
  ttl: number,
  rdata: number[],
  rdlength?: number,
) {
  return [...owner, ...u16(type), ...u16(cls), ...u32(ttl), ...u16(rdlength ?? rdata.length), ...rdata]
}

export interface RawMessage {
  id?: number
  /** flags word; default 0x8180 (response, RD, RA, NOERROR) */
  flags?: number
  question?: { name: number[]; type: number; cls?: number } | null
  an?: number[][]
  ns?: number[][]
  ar?: number[][]
  /** header counts to write instead of the real ones */
  counts?: [number, number, number, number]
  trailing?: number[]
}

export function rawMessage(m: RawMessage): Uint8Array {
  const an = m.an ?? []
  const ns = m.ns ?? []
  const ar = m.ar ?? []
  const q = m.question === undefined ? { name: wireName('example.com'), type: 1 } : m.question
  const counts = m.counts ?? [q ? 1 : 0, an.length, ns.length, ar.length]
  const bytes = [...u16(m.id ?? 0x1234), ...u16(m.flags ?? 0x8180), ...counts.flatMap(u16)]
  if (q) bytes.push(...q.name, ...u16(q.type), ...u16(q.cls ?? 1))
  for (const r of [...an, ...ns, ...ar]) bytes.push(...r)
  if (m.trailing) bytes.push(...m.trailing)
  return Uint8Array.from(bytes)
}

/** A response encoded by dns-packet (no name compression). */
export function packet(p: Partial<dnsPacket.Packet>): Uint8Array {
  return new Uint8Array(
    dnsPacket.encode({ type: 'response', id: 1, flags: dnsPacket.RECURSION_DESIRED, ...p }),
  )
}

export function info(over: Partial<PacketInfo> = {}): PacketInfo {
  const addrBuf = new Uint8Array(32)
  addrBuf.set([192, 0, 2, 53], 0)
  addrBuf.set([198, 51, 100, 7], 16)
  return {
    tsUs: 1_700_000_000_000_000,
    transport: 'udp',
    ipVersion: 4,
    addrBuf,
    srcOff: 0,
    dstOff: 16,
    srcPort: 53,
    dstPort: 40000,
    ...over,
  }
}

/** Parse one message and return the parser (for counters) and what it emitted. */
export function parseOne(
  msg: Uint8Array,
  opts: Partial<DnsParserOptions> = {},
  pi: PacketInfo = info(),
): { parser: DnsParser; obs: Observation[] } {
  const obs: Observation[] = []
  const parser = new DnsParser({ clientAddresses: false, ...opts }, (o) => obs.push(o))
  parser.parse(msg, 0, msg.length, pi)
  return { parser, obs }
}

/** The rdata of the single rr observation a one-answer response yields. */
export function rdataOf(msg: Uint8Array): string | null {
  const { obs } = parseOne(msg)
  const rrs = obs.filter((o) => o.kind === 'rr')
  if (rrs.length !== 1) throw new Error(`expected one RR, got ${rrs.length}`)
  return rrs[0]!.rdata
}

/** A one-answer response (owner example.com, class IN) whose RDATA is given raw. */
export function answerWith(type: number, rdata: number[]): Uint8Array {
  return rawMessage({
    question: { name: wireName('example.com'), type },
    an: [rr([0xc0, 12], type, 1, 300, rdata)],
  })
}
