/**
 * dnstap messages → the DNS parser. Each data frame is decoded (message.ts); when its type is one
 * taken (CLIENT_RESPONSE and RESOLVER_RESPONSE by default) and it carries a response_message, that
 * message goes through the very DnsParser the packet path uses, with a PacketInfo built from the
 * dnstap fields as a captured response packet would have it: source = response_address/port (the
 * server), destination = query_address/port (the client), time = response time (else query time).
 *
 * The dnstap `identity` names the sensor: each identity gets its own parser and its own observation
 * sink, asked once from the `sinkFor` component (the node maps identities to store origins).
 * Identities are bounded (MAX_IDENTITIES): later ones, and unusable ones, share the unnamed sink
 * (identity null) and are counted.
 */
import { Counters, type PacketInfo } from '../capture/types.ts'
import type { ObservationSink } from '../dns/observation.ts'
import { DnsParser } from '../dns/parser.ts'
import { PdnsError } from '../errors.ts'
import { MAX_IDENTITIES } from './limits.ts'
import { type DnstapMessage, decodeDnstap } from './message.ts'
import { dnstapSchema, messageTypeNames, messageTypeNumber } from './schema.ts'

/** Message types whose response is parsed unless configured otherwise. */
export const DEFAULT_MESSAGE_TYPES: readonly string[] = ['CLIENT_RESPONSE', 'RESOLVER_RESPONSE']

const SOCKET_FAMILY_INET = 1
const SOCKET_FAMILY_INET6 = 2

/**
 * `dnstap.SocketProtocol` → the DNS transport the parser reports. What matters to a passive DNS
 * record is the message semantics: DoT, DoH and DoQ carry whole messages over streams (no UDP
 * truncation), like TCP; DNSCrypt keeps its underlying transport's.
 */
const TRANSPORTS: ReadonlyMap<number, 'udp' | 'tcp'> = new Map([
  [1, 'udp'], // UDP
  [2, 'tcp'], // TCP
  [3, 'tcp'], // DOT
  [4, 'tcp'], // DOH
  [5, 'udp'], // DNSCryptUDP
  [6, 'tcp'], // DNSCryptTCP
  [7, 'tcp'], // DOQ
])

export interface DnstapIngestComponents {
  /**
   * The observation sink of one sensor: a dnstap identity, or null for messages without a usable
   * identity and for identities past MAX_IDENTITIES. Called once per identity, on its first message.
   */
  sinkFor(identity: string | null): ObservationSink
}

export interface DnstapIngestOptions {
  /** `dnstap.Message.Type` names whose response_message is parsed (default DEFAULT_MESSAGE_TYPES) */
  messageTypes?: readonly string[]
  /** keep the client address (query_address) in observations (off by default: privacy) */
  clientAddresses?: boolean
  /**
   * Time (µs since the epoch) for a message that carries neither response nor query time: a live
   * input passes its clock. Without it (files) such messages are counted as 'time.missing', not parsed.
   */
  now?: () => number
}

/** The parser counters of one identity (or all of them summed). */
export interface DnstapParserStats {
  /** DNS messages handed to the parser */
  messages: number
  /** of which responses (QR=1) */
  responses: number
  observations: number
  negatives: number
  anomalies: Record<string, number>
}

export interface DnstapIdentityStats extends DnstapParserStats {
  identity: string | null
  /** dnstap frames of this identity whose response was parsed */
  frames: number
}

export interface DnstapIngestStats {
  /** data frames received */
  frames: number
  /** frames that were not a dnstap.Dnstap protobuf */
  decodeErrors: number
  /** decoded frames by message type name (CLIENT_QUERY, CLIENT_RESPONSE, …; NONE without a Message) */
  types: Record<string, number>
  /** frames whose response_message went to a parser */
  parsed: number
  /** frames of a type not taken (counted in `types`, not parsed) */
  notTaken: number
  /** frames of a taken type without a response_message */
  noResponse: number
  /** other frames not parsed and rerouted messages, by reason: time.missing, identity.invalid, identity.overflow, address.malformed, transport.unknown */
  events: Record<string, number>
  /** the parsers' counters summed */
  parser: DnstapParserStats
  /** per identity, in order of first appearance */
  identities: DnstapIdentityStats[]
}

/** The message type numbers of a list of names. Throws ERR_BAD_ARGUMENT naming an unknown one. */
export function messageTypeSet(names: readonly string[]): ReadonlySet<number> {
  const out = new Set<number>()
  for (const name of names) {
    const n = messageTypeNumber(name)
    if (n === null) {
      throw new PdnsError(
        'ERR_BAD_ARGUMENT',
        `unknown dnstap message type '${name}' (one of ${messageTypeNames().join(', ')})`,
      )
    }
    out.add(n)
  }
  return out
}

interface Route {
  identity: string | null
  parser: DnsParser
  frames: number
}

export class DnstapIngest {
  readonly #sinkFor: (identity: string | null) => ObservationSink
  readonly #taken: ReadonlySet<number>
  readonly #clientAddresses: boolean
  readonly #now: (() => number) | null
  readonly #routes = new Map<string | null, Route>()
  /** named identities with a route (the null route is not counted against MAX_IDENTITIES) */
  #named = 0
  readonly #types = new Counters()
  readonly #events = new Counters()
  readonly #info: PacketInfo = {
    tsUs: 0,
    transport: 'udp',
    ipVersion: 4,
    addrBuf: new Uint8Array(32),
    srcOff: 0,
    dstOff: 16,
    srcPort: 0,
    dstPort: 0,
  }
  frames = 0
  decodeErrors = 0
  parsed = 0
  notTaken = 0
  noResponse = 0

  constructor(components: DnstapIngestComponents, options: DnstapIngestOptions = {}) {
    // the schema loads now: a broken installation fails at startup, not at the first message
    dnstapSchema()
    this.#sinkFor = components.sinkFor
    this.#taken = messageTypeSet(options.messageTypes ?? DEFAULT_MESSAGE_TYPES)
    this.#clientAddresses = options.clientAddresses ?? false
    this.#now = options.now ?? null
  }

  /** One dnstap data frame (a FrameHandler's `data`). Never throws on any bytes; a sink's exception passes through. */
  readonly frame = (buf: Uint8Array, off: number, len: number): void => {
    this.frames++
    let m: DnstapMessage
    try {
      m = decodeDnstap(buf, off, len)
    } catch {
      this.decodeErrors++
      return
    }
    this.message(m)
  }

  /** One decoded dnstap message. */
  message(m: DnstapMessage): void {
    this.#types.inc(m.typeName)
    if (!this.#taken.has(m.type)) {
      this.notTaken++
      return
    }
    const dns = m.responseMessage
    if (dns === null) {
      this.noResponse++
      return
    }
    const info = this.#info
    const ts = m.responseTimeUs ?? m.queryTimeUs ?? this.#now?.() ?? null
    if (ts === null) {
      this.#events.inc('time.missing')
      return
    }
    info.tsUs = ts
    const transport = m.socketProtocol === null ? undefined : TRANSPORTS.get(m.socketProtocol)
    if (transport === undefined) this.#events.inc('transport.unknown')
    info.transport = transport ?? 'udp'
    info.ipVersion =
      m.socketFamily === SOCKET_FAMILY_INET6
        ? 6
        : m.socketFamily === SOCKET_FAMILY_INET
          ? 4
          : m.responseAddress?.length === 16 || m.queryAddress?.length === 16
            ? 6
            : 4
    // as the response packet carries them: from the responder to the initiator
    this.#address(m.responseAddress, info.srcOff, info.ipVersion)
    this.#address(m.queryAddress, info.dstOff, info.ipVersion)
    info.srcPort = m.responsePort ?? 0
    info.dstPort = m.queryPort ?? 0

    const route = this.#route(m)
    route.frames++
    this.parsed++
    route.parser.parse(dns, 0, dns.length, info)
  }

  /** Writes an address into addrBuf at `off`; absent or malformed ones read as all zeros. */
  #address(raw: Uint8Array | null, off: number, version: 4 | 6): void {
    const buf = this.#info.addrBuf
    const len = version === 4 ? 4 : 16
    if (raw !== null && raw.length === len) {
      buf.set(raw, off)
      return
    }
    if (raw !== null) this.#events.inc('address.malformed')
    buf.fill(0, off, off + len)
  }

  #route(m: DnstapMessage): Route {
    let identity = m.identity
    if (m.identityInvalid) this.#events.inc('identity.invalid')
    let route = this.#routes.get(identity)
    if (route !== undefined) return route
    if (identity !== null && this.#named >= MAX_IDENTITIES) {
      this.#events.inc('identity.overflow')
      identity = null
      route = this.#routes.get(null)
      if (route !== undefined) return route
    }
    const sink = this.#sinkFor(identity)
    route = {
      identity,
      parser: new DnsParser({ clientAddresses: this.#clientAddresses }, sink),
      frames: 0,
    }
    this.#routes.set(identity, route)
    if (identity !== null) this.#named++
    return route
  }

  stats(): DnstapIngestStats {
    const total: DnstapParserStats = {
      messages: 0,
      responses: 0,
      observations: 0,
      negatives: 0,
      anomalies: {},
    }
    const anomalies = new Counters()
    const identities: DnstapIdentityStats[] = []
    for (const r of this.#routes.values()) {
      const p = r.parser
      total.messages += p.messages
      total.responses += p.responses
      total.observations += p.observations
      total.negatives += p.negatives
      anomalies.addAll(p.anomalies)
      identities.push({
        identity: r.identity,
        frames: r.frames,
        messages: p.messages,
        responses: p.responses,
        observations: p.observations,
        negatives: p.negatives,
        anomalies: p.anomalies.toJSON(),
      })
    }
    total.anomalies = anomalies.toJSON()
    return {
      frames: this.frames,
      decodeErrors: this.decodeErrors,
      types: this.#types.toJSON(),
      parsed: this.parsed,
      notTaken: this.notTaken,
      noResponse: this.noResponse,
      events: this.#events.toJSON(),
      parser: total,
      identities,
    }
  }
}
