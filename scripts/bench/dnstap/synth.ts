/**
 * A synthetic dnstap file for the dnstap benchmark, written with the project's own encoders (the
 * protobufjs schema of node/dnstap/schema.ts, the Frame Streams frames of frame-stream.ts) around
 * real DNS responses (dns-packet encode()), from a seeded PRNG (test/helpers/prng.ts): the same
 * seed and count give the same bytes.
 *
 * Shaped like one recursive resolver's feed (unbound with client and resolver responses logged):
 *   70 % CLIENT_RESPONSE    client 10.x.y.z (or fd00::/64), resolver 10.0.0.53:53; QR RD RA
 *   30 % RESOLVER_RESPONSE  resolver → authoritative server; QR AA, query_zone and query_message
 *                           set (as unbound logs them: fields the ingest decodes but never uses)
 *   names  75 % from 20 000 popular names (skewed: the first 1 % of them get a fifth of that
 *          traffic, the first 10 % nearly half; their answers are stable, so records repeat),
 *          25 % unique (a new host under a CDN-like zone)
 *   answers, by name: 50 % A (1–4), 20 % AAAA (1–2), 20 % CNAME → A (1–2), 5 % CNAME → CNAME →
 *          AAAA, 5 % NXDOMAIN with the zone's SOA in the authority section
 *   90 % carry an EDNS OPT record; 15 % over IPv6, 5 % over TCP
 * One identity (`bench-resolver`) and version string, as one resolver sends them.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import dnsPacket from 'dns-packet'
import { encodeControlFrame, encodeDataFrame } from '../../../node/dnstap/frame-stream.ts'
import { DNSTAP_CONTENT_TYPE, dnstapSchema } from '../../../node/dnstap/schema.ts'
import { prng } from '../../../test/helpers/prng.ts'

export const IDENTITY = 'bench-resolver'
const VERSION = 'unbound 1.17.1'
const POPULAR = 20_000
const T0 = 1_767_225_600 // 2026-01-01
/** one message every 200 µs: a resolver at 5 k responses/s */
const STEP_US = 200
const CLIENT_RESPONSE = 6
const RESOLVER_RESPONSE = 4

/** lowbias32: stable per-name choices (a popular name always gets the same answers). */
function mix(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0
  x = Math.imul(x, 0x7feb352d) >>> 0
  x = (x ^ (x >>> 15)) >>> 0
  x = Math.imul(x, 0x846ca68b) >>> 0
  return (x ^ (x >>> 16)) >>> 0
}

const SUFFIXES = ['com', 'net', 'org', 'io', 'de']
const HOSTS = ['www', 'api', 'cdn', 'img', 'mail', 'static']

function popularName(k: number): { name: string; zone: string } {
  const h = mix(k)
  const zone = `site${k}.${SUFFIXES[h % SUFFIXES.length]}`
  return { name: `${HOSTS[(h >>> 8) % HOSTS.length]}.${zone}`, zone }
}

function ipv4(h: number): string {
  return `${(h >>> 24) % 223 || 1}.${(h >>> 16) & 0xff}.${(h >>> 8) & 0xff}.${h & 0xff || 1}`
}

function ipv6(h: number, g: number): string {
  return `2001:db8:${(h >>> 16).toString(16)}:${(h & 0xffff).toString(16)}::${(g & 0xffff).toString(16)}`
}

/** A name in DNS wire format (query_zone is one). */
function wireName(name: string): Uint8Array {
  const labels = name.split('.')
  const out = new Uint8Array(name.length + 2)
  let p = 0
  for (const l of labels) {
    out[p++] = l.length
    for (let i = 0; i < l.length; i++) out[p++] = l.charCodeAt(i)
  }
  return out
}

type Answer = dnsPacket.Answer

/** EDNS0 as resolvers send it (the DNS flag day 2020 payload size) */
const OPT: dnsPacket.OptAnswer = {
  type: 'OPT',
  name: '.',
  udpPayloadSize: 1232,
  extendedRcode: 0,
  ednsVersion: 0,
  flags: 0,
  flag_do: false,
  options: [],
}

/** The DNS response for `name` (answers chosen by `h`, the name's hash) and its question type. */
function response(
  id: number,
  name: string,
  zone: string,
  h: number,
  ttl: number,
  aa: boolean,
  edns: boolean,
): { packet: Buffer; qtype: 'A' | 'AAAA' } {
  const answers: Answer[] = []
  const authorities: Answer[] = []
  const shape = h % 100
  let qtype: 'A' | 'AAAA' = 'A'
  let rcode: 'NOERROR' | 'NXDOMAIN' = 'NOERROR'
  const addA = (owner: string, n: number, seed: number) => {
    for (let j = 0; j < n; j++) answers.push({ type: 'A', name: owner, ttl, data: ipv4(mix(seed + j)) })
  }
  const addAAAA = (owner: string, n: number, seed: number) => {
    for (let j = 0; j < n; j++) answers.push({ type: 'AAAA', name: owner, ttl, data: ipv6(seed, j + 1) })
  }
  if (shape < 50) addA(name, 1 + ((h >>> 8) % 4), h)
  else if (shape < 70) {
    qtype = 'AAAA'
    addAAAA(name, 1 + ((h >>> 8) % 2), h)
  } else if (shape < 90) {
    const edge = `edge${(h >>> 8) % 500}.cdn${(h >>> 16) % 40}.example.net`
    answers.push({ type: 'CNAME', name, ttl, data: edge })
    addA(edge, 1 + ((h >>> 20) % 2), mix(h))
  } else if (shape < 95) {
    qtype = 'AAAA'
    const mid = `${name}.cdn.cloudprovider.net`
    const edge = `e${(h >>> 8) % 9000}.a.cloudprovider.net`
    answers.push({ type: 'CNAME', name, ttl, data: mid })
    answers.push({ type: 'CNAME', name: mid, ttl: 20, data: edge })
    addAAAA(edge, 1, mix(h))
  } else {
    rcode = 'NXDOMAIN'
    authorities.push({
      type: 'SOA',
      name: zone,
      ttl: 900,
      data: {
        mname: `ns1.${zone}`,
        rname: `hostmaster.${zone}`,
        serial: 2026010100 + (h % 100),
        refresh: 7200,
        retry: 900,
        expire: 1209600,
        minimum: 300,
      },
    })
  }
  const flags =
    (aa ? dnsPacket.AUTHORITATIVE_ANSWER : dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE) |
    (rcode === 'NXDOMAIN' ? 3 : 0)
  const packet = dnsPacket.encode({
    type: 'response',
    id,
    flags,
    questions: [{ type: qtype, name, class: 'IN' }],
    answers,
    authorities,
    additionals: edns ? [OPT] : [],
  })
  return { packet, qtype }
}

export interface SynthInfo {
  messages: number
  bytes: number
}

/**
 * Writes `messages` dnstap messages (START, data frames, STOP) to `path`, through a temporary file
 * renamed at the end, so an interrupted build leaves no half file under the final name.
 */
export function writeDnstapFile(path: string, messages: number, seed: number): SynthInfo {
  const { Dnstap } = dnstapSchema()
  const rand = prng(seed)
  const int = (n: number) => Math.floor(rand() * n)
  const tmp = `${path}.tmp-${process.pid}`
  const fd = openSync(tmp, 'w')
  let bytes = 0
  const chunks: Uint8Array[] = []
  let held = 0
  const put = (b: Uint8Array) => {
    chunks.push(b)
    held += b.length
    if (held >= 1 << 20) flush()
  }
  const flush = () => {
    const all = Buffer.concat(chunks)
    writeSync(fd, all)
    bytes += all.length
    chunks.length = 0
    held = 0
  }
  const identity = Buffer.from(IDENTITY)
  const version = Buffer.from(VERSION)
  const resolver4 = Uint8Array.of(10, 0, 0, 53)
  const resolver6 = Uint8Array.of(0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53)
  try {
    put(encodeControlFrame('START', [DNSTAP_CONTENT_TYPE]))
    for (let i = 0; i < messages; i++) {
      const resolverSide = rand() < 0.3
      const v6 = rand() < 0.15
      const tcp = rand() < 0.05
      let name: string
      let zone: string
      let h: number
      if (rand() < 0.25) {
        // a new host name never seen before (a CDN or tracker label)
        const cdn = int(300)
        zone = `cdn${cdn}.example.net`
        name = `h${Math.imul(i, 0x9e3779b1) >>> 0}-${int(1 << 20).toString(36)}.${zone}`
        h = mix(i ^ 0x9e3779b9)
      } else {
        // skewed popularity: rand()^3 puts most traffic on the first names
        const k = Math.floor(POPULAR * rand() ** 3)
        ;({ name, zone } = popularName(k))
        h = mix(k + 1)
      }
      const ttl = 30 + (h % 3570) - int(30)
      const { packet, qtype } = response(
        int(65536),
        name,
        zone,
        h,
        Math.max(1, ttl),
        resolverSide,
        rand() < 0.9,
      )
      const tUs = T0 * 1e6 + i * STEP_US
      const rtt = resolverSide ? 2000 + int(80_000) : 50 + int(2000)
      const qUs = tUs - rtt
      const client = v6
        ? Uint8Array.of(0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, int(8), int(256))
        : Uint8Array.of(10, 1 + int(8), int(256), 1 + int(254))
      const server = v6
        ? Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, int(4), 1 + int(200))
        : Uint8Array.of(198, 51, 100 + int(4), 1 + int(200))
      const m: Record<string, unknown> = {
        type: resolverSide ? RESOLVER_RESPONSE : CLIENT_RESPONSE,
        socket_family: v6 ? 2 : 1,
        socket_protocol: tcp ? 2 : 1,
        query_address: resolverSide ? (v6 ? resolver6 : resolver4) : client,
        response_address: resolverSide ? server : v6 ? resolver6 : resolver4,
        query_port: 1024 + int(64_000),
        response_port: 53,
        query_time_sec: Math.floor(qUs / 1e6),
        query_time_nsec: (qUs % 1e6) * 1000,
        response_time_sec: Math.floor(tUs / 1e6),
        response_time_nsec: (tUs % 1e6) * 1000,
        response_message: packet,
      }
      if (resolverSide) {
        m.query_zone = wireName(zone)
        m.query_message = dnsPacket.encode({
          type: 'query',
          id: packet.readUInt16BE(0),
          flags: 0,
          questions: [{ type: qtype, name, class: 'IN' }],
        })
      }
      const payload = Dnstap.encode(Dnstap.create({ identity, version, type: 1, message: m })).finish()
      put(encodeDataFrame(payload))
    }
    put(encodeControlFrame('STOP'))
    flush()
    closeSync(fd)
  } catch (err) {
    closeSync(fd)
    rmSync(tmp, { force: true })
    throw err
  }
  renameSync(tmp, path)
  return { messages, bytes }
}
