/**
 * One dnstap data frame (a `dnstap.Dnstap` protobuf) → a small typed object with the fields the
 * ingest needs: identity and version as checked strings, the message type, socket family and
 * protocol, both addresses and ports, both times in µs, both DNS messages (views into the frame,
 * not copies). Decoding is protobufjs's, from the official schema (schema.ts).
 *
 * proto2 presence matters: an unset `response_time_sec` is absent, not 0 (protobufjs keeps
 * defaults on the prototype; a field read from the wire is an own property).
 */
import { PdnsError } from '../errors.ts'
import { MAX_IDENTITY_BYTES } from './limits.ts'
import { dnstapSchema, messageTypeName } from './schema.ts'

/** `dnstap.Dnstap.Type` MESSAGE: the one payload kind defined */
const DNSTAP_TYPE_MESSAGE = 1

export interface DnstapMessage {
  /** the sensor's name (`identity`), null when absent, empty or invalid */
  identity: string | null
  /** an identity was sent but is not usable as a label (too long, control characters, bad UTF-8) */
  identityInvalid: boolean
  /** the server's `version`, checked as the identity is; null when absent or not printable */
  version: string | null
  /** `dnstap.Message.Type` number; 0 when the frame carries no Message (or a payload type other than MESSAGE) */
  type: number
  /** its name (`CLIENT_RESPONSE`), `TYPE<n>` for a number the schema does not know, `NONE` without a Message */
  typeName: string
  /** `dnstap.SocketFamily` (1 INET, 2 INET6), null when absent */
  socketFamily: number | null
  /** `dnstap.SocketProtocol` (1 UDP, 2 TCP, 3 DOT, 4 DOH, …), null when absent */
  socketProtocol: number | null
  /** the initiator's address (4 or 16 bytes when well-formed) */
  queryAddress: Uint8Array | null
  /** the responder's address */
  responseAddress: Uint8Array | null
  queryPort: number | null
  responsePort: number | null
  /** query_time_sec/nsec in µs since the epoch, null when absent */
  queryTimeUs: number | null
  /** response_time_sec/nsec in µs since the epoch, null when absent */
  responseTimeUs: number | null
  queryMessage: Uint8Array | null
  responseMessage: Uint8Array | null
}

/** What protobufjs hands back for the two messages (keepCase field names). */
interface RawMessage {
  type: number
  socket_family?: number
  socket_protocol?: number
  query_address?: Uint8Array
  response_address?: Uint8Array
  query_port?: number
  response_port?: number
  query_time_sec?: number | { toNumber(): number }
  query_time_nsec?: number
  query_message?: Uint8Array
  response_time_sec?: number | { toNumber(): number }
  response_time_nsec?: number
  response_message?: Uint8Array
}

interface RawDnstap {
  identity?: Uint8Array
  version?: Uint8Array
  type: number
  message?: RawMessage
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * A label from dnstap bytes: UTF-8, 1 to MAX_IDENTITY_BYTES bytes, no control characters (C0, DEL,
 * C1), as store origin labels require. Returns null for absent or empty, false for unusable.
 */
export function labelFromBytes(raw: Uint8Array | undefined): string | null | false {
  if (raw === undefined || raw.length === 0) return null
  if (raw.length > MAX_IDENTITY_BYTES) return false
  let text: string
  try {
    text = utf8.decode(raw)
  } catch {
    return false
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  return /[\u0000-\u001f\u007f-\u009f]/.test(text) ? false : text
}

/**
 * The last bytes and label of one field. A feed repeats its identity (and version) in every message,
 * and UTF-8 decoding plus the control-character check cost 7 % of ingest (scripts/bench/dnstap.ts):
 * equal bytes give the previous answer.
 */
class LastLabel {
  #bytes: Uint8Array | null = null
  #label: string | null | false = null

  of(raw: Uint8Array | undefined): string | null | false {
    if (raw === undefined || raw.length === 0) return null
    const prev = this.#bytes
    if (prev !== null && prev.length === raw.length) {
      let same = true
      for (let i = 0; i < raw.length; i++) {
        if (prev[i] !== raw[i]) {
          same = false
          break
        }
      }
      if (same) return this.#label
    }
    this.#label = labelFromBytes(raw)
    // a copy (not Buffer#slice, a view): raw points into a frame buffer that is reused
    this.#bytes = raw.length <= MAX_IDENTITY_BYTES ? Uint8Array.from(raw) : null
    return this.#label
  }
}

const lastIdentity = new LastLabel()
const lastVersion = new LastLabel()

function own<K extends keyof RawMessage>(m: RawMessage, k: K): RawMessage[K] | undefined {
  return Object.hasOwn(m, k) ? m[k] : undefined
}

function timeUs(sec: number | { toNumber(): number } | undefined, nsec: number | undefined): number | null {
  if (sec === undefined) return null
  const s = typeof sec === 'number' ? sec : sec.toNumber()
  return s * 1e6 + Math.floor((nsec ?? 0) / 1000)
}

/**
 * Decodes one dnstap data frame. Throws ERR_DNSTAP_PROTOCOL when the bytes are not a valid
 * `dnstap.Dnstap` message (the frame is lost; the stream around it is intact).
 */
export function decodeDnstap(buf: Uint8Array, off: number, len: number): DnstapMessage {
  let raw: RawDnstap
  try {
    raw = dnstapSchema().Dnstap.decode(buf.subarray(off, off + len)) as unknown as RawDnstap
  } catch (err) {
    throw new PdnsError('ERR_DNSTAP_PROTOCOL', `not a dnstap.Dnstap message: ${(err as Error).message}`, {
      cause: err,
    })
  }
  const identity = lastIdentity.of(Object.hasOwn(raw, 'identity') ? raw.identity : undefined)
  const version = lastVersion.of(Object.hasOwn(raw, 'version') ? raw.version : undefined)
  const out: DnstapMessage = {
    identity: identity === false ? null : identity,
    identityInvalid: identity === false,
    version: version === false ? null : version,
    type: 0,
    typeName: 'NONE',
    socketFamily: null,
    socketProtocol: null,
    queryAddress: null,
    responseAddress: null,
    queryPort: null,
    responsePort: null,
    queryTimeUs: null,
    responseTimeUs: null,
    queryMessage: null,
    responseMessage: null,
  }
  const m = raw.message
  if (raw.type !== DNSTAP_TYPE_MESSAGE || m === undefined || !Object.hasOwn(raw, 'message')) {
    // a payload kind a later schema may define: not a Message, counted under its number
    if (raw.type !== DNSTAP_TYPE_MESSAGE) out.typeName = `DNSTAP_TYPE${raw.type}`
    return out
  }
  out.type = m.type
  out.typeName = messageTypeName(m.type)
  out.socketFamily = own(m, 'socket_family') ?? null
  out.socketProtocol = own(m, 'socket_protocol') ?? null
  out.queryAddress = own(m, 'query_address') ?? null
  out.responseAddress = own(m, 'response_address') ?? null
  out.queryPort = own(m, 'query_port') ?? null
  out.responsePort = own(m, 'response_port') ?? null
  out.queryTimeUs = timeUs(own(m, 'query_time_sec'), own(m, 'query_time_nsec'))
  out.responseTimeUs = timeUs(own(m, 'response_time_sec'), own(m, 'response_time_nsec'))
  out.queryMessage = own(m, 'query_message') ?? null
  out.responseMessage = own(m, 'response_message') ?? null
  return out
}
