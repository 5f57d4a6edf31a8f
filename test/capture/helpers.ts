/** Hand-built packets and capture files for the capture-layer tests. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PacketInfo } from '../../node/capture/index.ts'
import { DEFAULT_DNS_PORTS, PacketDecoder, readCapture } from '../../node/capture/index.ts'

export const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

export const bytes = (...v: number[]): Uint8Array => Uint8Array.from(v)

export const u16 = (v: number): Uint8Array => bytes((v >> 8) & 255, v & 255)
export const u32 = (v: number): Uint8Array =>
  bytes((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255)
export const u16le = (v: number): Uint8Array => bytes(v & 255, (v >> 8) & 255)
export const u32le = (v: number): Uint8Array =>
  bytes(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255)

/** A small DNS query: header with the given id and one question for `name`, type A. */
export function dnsQuery(id: number, name = 'example.com'): Uint8Array {
  const labels = name.split('.').flatMap((l) => [l.length, ...Buffer.from(l)])
  return concat(
    u16(id),
    bytes(0x01, 0x00),
    u16(1),
    u16(0),
    u16(0),
    u16(0),
    bytes(...labels, 0),
    u16(1),
    u16(1),
  )
}

/** The 16-bit id of a DNS message as the sink saw it. */
export const dnsId = (m: Uint8Array): number => (m[0]! << 8) | m[1]!

export const ip4 = (s: string): Uint8Array => bytes(...s.split('.').map(Number))
export function ip6(s: string): Uint8Array {
  const [head, tail] = s.split('::') as [string, string | undefined]
  const h = head ? head.split(':') : []
  const t = tail ? tail.split(':') : []
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t]
  return concat(...groups.map((g) => u16(Number.parseInt(g, 16))))
}

export const A = ip4('192.0.2.1')
export const B = ip4('198.51.100.7')
export const A6 = ip6('2001:db8::1')
export const B6 = ip6('2001:db8::53')

export function udp(sport: number, dport: number, payload: Uint8Array): Uint8Array {
  return concat(u16(sport), u16(dport), u16(8 + payload.length), u16(0), payload)
}

export const FIN = 0x01
export const SYN = 0x02
export const RST = 0x04
export const PSH = 0x08
export const ACK = 0x10

export function tcp(
  sport: number,
  dport: number,
  seq: number,
  flags: number,
  payload: Uint8Array,
): Uint8Array {
  return concat(
    u16(sport),
    u16(dport),
    u32(seq >>> 0),
    u32(0),
    bytes(0x50, flags),
    u16(65535),
    u16(0),
    u16(0),
    payload,
  )
}

/** DNS over TCP framing: 2-byte length then the message. */
export const framed = (m: Uint8Array): Uint8Array => concat(u16(m.length), m)

export interface Ip4Opts {
  id?: number
  /** fragment offset in bytes (multiple of 8) */
  fragOffset?: number
  more?: boolean
  src?: Uint8Array
  dst?: Uint8Array
  /** override the total length field */
  totalLen?: number
}

export function ipv4(proto: number, payload: Uint8Array, o: Ip4Opts = {}): Uint8Array {
  const flags = (o.more ? 0x2000 : 0) | ((o.fragOffset ?? 0) >> 3)
  return concat(
    bytes(0x45, 0),
    u16(o.totalLen ?? 20 + payload.length),
    u16(o.id ?? 1),
    u16(flags),
    bytes(64, proto),
    u16(0),
    o.src ?? A,
    o.dst ?? B,
    payload,
  )
}

/** IPv6 with an optional chain of raw extension headers (each given as [type, bytes-without-next-header]). */
export function ipv6(
  next: number,
  payload: Uint8Array,
  o: { src?: Uint8Array; dst?: Uint8Array; ext?: Array<[number, Uint8Array]> } = {},
): Uint8Array {
  const ext = o.ext ?? []
  const chain: Uint8Array[] = []
  for (let i = 0; i < ext.length; i++) {
    const nh = i + 1 < ext.length ? ext[i + 1]![0] : next
    chain.push(concat(bytes(nh), ext[i]![1]))
  }
  const first = ext.length > 0 ? ext[0]![0] : next
  const body = concat(...chain, payload)
  return concat(bytes(0x60, 0, 0, 0), u16(body.length), bytes(first, 64), o.src ?? A6, o.dst ?? B6, body)
}

/** Options-style IPv6 extension header body (after the next-header byte): 8 bytes. */
export const optsHeader = (): Uint8Array => bytes(0, 1, 4, 0, 0, 0, 0)

/** Fragment header body (after the next-header byte). */
export const fragHeader = (offset: number, more: boolean, id: number): Uint8Array =>
  concat(bytes(0), u16(offset | (more ? 1 : 0)), u32(id))

export const MAC1 = bytes(0, 1, 2, 3, 4, 5)
export const MAC2 = bytes(0, 1, 2, 3, 4, 6)

export function ether(type: number, payload: Uint8Array, vlanTags: number[] = []): Uint8Array {
  // each tag is TPID + TCI; the real type follows the last one
  const parts: Uint8Array[] = [MAC1, MAC2]
  if (vlanTags.length === 0) parts.push(u16(type))
  else {
    parts.push(u16(vlanTags[0]!))
    for (let i = 0; i < vlanTags.length; i++) {
      parts.push(u16(100 + i), u16(i + 1 < vlanTags.length ? vlanTags[i + 1]! : type))
    }
  }
  return concat(...parts, payload)
}

/** A standard DNS-over-UDP frame: Ethernet / IPv4 / UDP sport→dport. */
export const udpFrame = (id: number, sport = 40000, dport = 53): Uint8Array =>
  ether(0x0800, ipv4(17, udp(sport, dport, dnsQuery(id))))

export interface Seen {
  msg: Uint8Array
  info: PacketInfo
  src: string
  dst: string
}

function addr(buf: Uint8Array, off: number, v: 4 | 6): string {
  if (v === 4) return Array.from(buf.subarray(off, off + 4)).join('.')
  const g: string[] = []
  for (let i = 0; i < 16; i += 2) g.push(((buf[off + i]! << 8) | buf[off + i + 1]!).toString(16))
  return g.join(':')
}

/** A decoder that records copies of every DNS payload it hands out. */
export function collector(ports: ReadonlySet<number> = DEFAULT_DNS_PORTS): {
  dec: PacketDecoder
  seen: Seen[]
} {
  const seen: Seen[] = []
  const dec = new PacketDecoder({ ports }, (buf, off, len, info) => {
    seen.push({
      msg: buf.slice(off, off + len),
      info: { ...info },
      src: addr(info.addrBuf, info.srcOff, info.ipVersion),
      dst: addr(info.addrBuf, info.dstOff, info.ipVersion),
    })
  })
  return { dec, seen }
}

/** Feeds one frame at an offset inside a larger buffer, as readers do. */
export function feed(
  dec: PacketDecoder,
  linkType: number,
  frame: Uint8Array,
  tsUs = 1_000_000,
  origLen = frame.length,
) {
  const pad = 7
  const buf = new Uint8Array(frame.length + pad + 5).fill(0xee)
  buf.set(frame, pad)
  dec.decode(linkType, buf, pad, frame.length, origLen, tsUs)
}

// ---- capture files ----

export interface Rec {
  data: Uint8Array
  tsUs?: number
  origLen?: number
}

export function pcapFile(
  recs: Rec[],
  o: { le?: boolean; nano?: boolean; linkType?: number } = {},
): Uint8Array {
  const le = o.le ?? true
  const w32 = le ? u32le : u32
  const w16 = le ? u16le : u16
  const magic = o.nano ? 0xa1b23c4d : 0xa1b2c3d4
  const parts = [w32(magic), w16(2), w16(4), w32(0), w32(0), w32(262144), w32(o.linkType ?? 1)]
  for (const r of recs) {
    const ts = r.tsUs ?? 0
    const sec = Math.floor(ts / 1e6)
    const frac = o.nano ? (ts % 1e6) * 1000 + 999 : ts % 1e6
    parts.push(w32(sec), w32(frac), w32(r.data.length), w32(r.origLen ?? r.data.length), r.data)
  }
  return concat(...parts)
}

const pad4 = (b: Uint8Array): Uint8Array => concat(b, new Uint8Array((4 - (b.length % 4)) % 4))

export class PcapngWriter {
  readonly #le: boolean
  readonly #parts: Uint8Array[] = []

  constructor(le = true) {
    this.#le = le
  }

  w32(v: number): Uint8Array {
    return this.#le ? u32le(v) : u32(v)
  }

  w16(v: number): Uint8Array {
    return this.#le ? u16le(v) : u16(v)
  }

  block(type: number, body: Uint8Array): this {
    const b = pad4(body)
    const len = 12 + b.length
    this.#parts.push(this.w32(type), this.w32(len), b, this.w32(len))
    return this
  }

  option(code: number, value: Uint8Array): Uint8Array {
    return concat(this.w16(code), this.w16(value.length), pad4(value))
  }

  shb(): this {
    return this.block(
      0x0a0d0d0a,
      concat(this.w32(0x1a2b3c4d), this.w16(1), this.w16(0), u32(0xffffffff), u32(0xffffffff)),
    )
  }

  idb(linkType: number, o: { snapLen?: number; tsresol?: number; tsoffsetSec?: number } = {}): this {
    const opts: Uint8Array[] = []
    if (o.tsresol !== undefined) opts.push(this.option(9, bytes(o.tsresol)))
    if (o.tsoffsetSec !== undefined) {
      const hi = Math.floor(o.tsoffsetSec / 2 ** 32)
      const lo = o.tsoffsetSec >>> 0
      opts.push(this.option(14, this.#le ? concat(u32le(lo), u32le(hi)) : concat(u32(hi), u32(lo))))
    }
    if (opts.length > 0) opts.push(this.w32(0))
    return this.block(1, concat(this.w16(linkType), this.w16(0), this.w32(o.snapLen ?? 0), ...opts))
  }

  /** Enhanced Packet Block with a raw 64-bit timestamp in the interface's units (as a bigint). */
  epb(iface: number, units: bigint, data: Uint8Array, origLen = data.length): this {
    const hi = Number(units >> 32n)
    const lo = Number(units & 0xffffffffn)
    return this.block(
      6,
      concat(
        this.w32(iface),
        this.w32(hi),
        this.w32(lo),
        this.w32(data.length),
        this.w32(origLen),
        pad4(data),
      ),
    )
  }

  spb(data: Uint8Array, origLen = data.length): this {
    return this.block(3, concat(this.w32(origLen), pad4(data)))
  }

  /** obsolete Packet Block (type 2) */
  pb(iface: number, units: bigint, data: Uint8Array): this {
    const hi = Number(units >> 32n)
    const lo = Number(units & 0xffffffffn)
    return this.block(
      2,
      concat(
        this.w16(iface),
        this.w16(0),
        this.w32(hi),
        this.w32(lo),
        this.w32(data.length),
        this.w32(data.length),
        pad4(data),
      ),
    )
  }

  raw(b: Uint8Array): this {
    this.#parts.push(b)
    return this
  }

  bytes(): Uint8Array {
    return concat(...this.#parts)
  }
}

let tmp: string | null = null
/** Writes bytes to a fresh temporary file and returns its path. */
export function tmpFile(name: string, data: Uint8Array): string {
  tmp ??= mkdtempSync(join(tmpdir(), 'pdns-capture-'))
  const p = join(tmp, name)
  writeFileSync(p, data)
  return p
}

/** Seeded PRNG for shuffles (one implementation for all tests). */
export { prng as rng } from '../helpers/prng.ts'

export interface Frame {
  linkType: number
  data: Uint8Array
  origLen: number
  tsUs: number
}

/** Reads a capture, keeping copies of the frames and whatever error ended it. */
export async function readAll(path: string): Promise<{ frames: Frame[]; err: unknown; info: unknown }> {
  const frames: Frame[] = []
  try {
    const info = await readCapture(path, (linkType, buf, off, capLen, origLen, tsUs) => {
      frames.push({ linkType, data: buf.slice(off, off + capLen), origLen, tsUs })
    })
    return { frames, err: null, info }
  } catch (err) {
    return { frames, err, info: null }
  }
}
