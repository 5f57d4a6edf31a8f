/**
 * Encoding and strict decoding of the messages of mesh.proto (loaded by protobufjs from the .proto
 * beside this file, as the dnstap schema is). Decoding validates every field a peer controls against
 * limits.ts and throws WireError; callers get plain objects with numbers, never protobufjs Longs.
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type { Type } from 'protobufjs'
import { WireError } from './errors.ts'
import {
  MAX_AUTHOR_BYTES,
  MAX_ENTRY_BYTES,
  MAX_HAVE_FEEDS,
  MAX_NAME_TEXT_BYTES,
  MAX_QUERY_LIMIT,
  MAX_QUERY_TEXT_BYTES,
  QUERY_RECORDS_PER_FRAME,
} from './limits.ts'

const PROTO_PATH = fileURLToPath(new URL('./mesh.proto', import.meta.url))

interface Types {
  Entry: Type
  SignedEntry: Type
  SyncRequest: Type
  SyncResponse: Type
  QueryRequest: Type
  QueryAnswer: Type
}

let types: Types | null = null

/**
 * Builds the protobuf types and generates their codecs now rather than at the first message (about
 * 50 ms: protobufjs, the .proto, the codecs protobufjs otherwise generates at a type's first
 * encode or decode): for a thread that will seal and can load them while it waits.
 */
export function loadWireTypes(): void {
  for (const type of Object.values(t())) type.setup()
}

function t(): Types {
  if (types !== null) return types
  const protobuf = createRequire(import.meta.url)('protobufjs') as typeof import('protobufjs')
  const root = new protobuf.Root().loadSync(PROTO_PATH, { keepCase: true })
  types = {
    Entry: root.lookupType('pdnsmesh.Entry'),
    SignedEntry: root.lookupType('pdnsmesh.SignedEntry'),
    SyncRequest: root.lookupType('pdnsmesh.SyncRequest'),
    SyncResponse: root.lookupType('pdnsmesh.SyncResponse'),
    QueryRequest: root.lookupType('pdnsmesh.QueryRequest'),
    QueryAnswer: root.lookupType('pdnsmesh.QueryAnswer'),
  }
  return types
}

// ---------------------------------------------------------------- shapes

export interface Entry {
  /** the author's peer id text (12D3KooW…) */
  author: string
  seq: number
  prev: Uint8Array
  time: number
  records: number
  block: Uint8Array
  /** the seq of the first entry of the checkpoint this one was sealed during; 0: none */
  base: number
  /** the checkpoint's last entry: entries base..seq restate every record the author holds */
  complete: boolean
}

export interface SignedEntry {
  /** the Entry bytes exactly as signed */
  entry: Uint8Array
  signature: Uint8Array
}

export interface FeedHead {
  author: string
  seq: number
  hash: Uint8Array
}

export interface SyncRequest {
  have: FeedHead[]
  push: SignedEntry[]
}

export interface SyncResponse {
  have: FeedHead[]
  entries: SignedEntry[]
  more: boolean
}

export interface QueryRequest {
  lookup: 'rrset' | 'rdata' | 'summary' | 'new'
  value: string
  rrtype: string
  bailiwick: string
  first_after: number
  first_before: number
  last_after: number
  last_before: number
  limit: number
  cursor: string
  raw: boolean
  origin: string
}

export interface WireVantage {
  origin: string
  first: number
  last: number
  count: number
}

export interface WireRecord {
  kind: 'rr' | 'nxdomain' | 'nodata'
  rrname: string
  rrtype: string
  rdata: string
  /** '' when unknown */
  bailiwick: string
  vantages: WireVantage[]
}

export interface WireSummary {
  name: string
  first: number
  last: number
  count: number
  records: number
  types: { rrtype: string; records: number; count: number }[]
  nxdomain: number
  nodata: number
  vantages: { origin: string; records: number; count: number }[]
}

export interface QueryAnswer {
  records: WireRecord[]
  done: boolean
  cursor: string
  error: string
  summary: WireSummary | null
  /** new lookups: the names (done frame) */
  names: string[]
}

// ---------------------------------------------------------------- helpers

function decodeWith(type: Type, bytes: Uint8Array, what: string): Record<string, unknown> {
  try {
    return type.decode(bytes) as unknown as Record<string, unknown>
  } catch (cause) {
    throw new WireError('undecodable', `${what}: not a valid protobuf message`, { cause })
  }
}

/** A uint64/int64 field as a safe integer (protobufjs gives Longs for 64-bit fields). */
function num(v: unknown, what: string, signed = false): number {
  let n: number
  if (typeof v === 'number') n = v
  else if (v !== null && typeof v === 'object' && 'low' in v && 'high' in v) {
    const l = v as { low: number; high: number; unsigned?: boolean }
    if (l.high < 0 && (signed || l.unsigned !== true)) {
      if (!signed) throw new WireError('field-range', `${what} is negative`)
      n = l.high * 0x100000000 + (l.low >>> 0)
    } else n = (l.high >>> 0) * 0x100000000 + (l.low >>> 0)
  } else n = 0
  if (!Number.isSafeInteger(n)) throw new WireError('field-range', `${what} is out of range`)
  return n
}

function bytes(v: unknown): Uint8Array {
  return v instanceof Uint8Array ? v : new Uint8Array(0)
}

function str(v: unknown, what: string, max = MAX_QUERY_TEXT_BYTES): string {
  const s = typeof v === 'string' ? v : ''
  if (Buffer.byteLength(s) > max) throw new WireError('field-range', `${what} is longer than ${max} bytes`)
  return s
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

function encode(type: Type, value: object): Uint8Array {
  return type.encode(type.fromObject(value)).finish()
}

// ---------------------------------------------------------------- entries

export function encodeEntry(e: Entry): Uint8Array {
  return encode(t().Entry, e)
}

export function decodeEntry(b: Uint8Array): Entry {
  const m = decodeWith(t().Entry, b, 'Entry')
  const author = str(m.author, 'Entry.author', MAX_AUTHOR_BYTES)
  if (author.length === 0) throw new WireError('field-range', 'Entry.author is empty')
  const seq = num(m.seq, 'Entry.seq')
  if (seq < 1) throw new WireError('field-range', 'Entry.seq must start at 1')
  const prev = bytes(m.prev)
  if (seq === 1 ? prev.length !== 0 : prev.length !== 32) {
    throw new WireError('field-range', 'Entry.prev must be empty at seq 1 and a sha256 after')
  }
  const base = num(m.base, 'Entry.base')
  const complete = m.complete === true
  if (base > seq || (complete && base === 0)) {
    throw new WireError('field-range', 'Entry.base must be at most seq, and set on a complete checkpoint')
  }
  return {
    author,
    seq,
    prev,
    time: num(m.time, 'Entry.time'),
    records: num(m.records, 'Entry.records'),
    block: bytes(m.block),
    base,
    complete,
  }
}

function signedEntry(v: unknown): SignedEntry {
  const o = (v ?? {}) as Record<string, unknown>
  const entry = bytes(o.entry)
  const signature = bytes(o.signature)
  if (entry.length === 0 || entry.length + signature.length > MAX_ENTRY_BYTES) {
    throw new WireError('oversized', 'SignedEntry is empty or larger than MAX_ENTRY_BYTES')
  }
  if (signature.length !== 64) throw new WireError('bad-signature', 'SignedEntry.signature is not 64 bytes')
  return { entry, signature }
}

export function encodeSignedEntry(e: SignedEntry): Uint8Array {
  return encode(t().SignedEntry, e)
}

export function decodeSignedEntry(b: Uint8Array): SignedEntry {
  return signedEntry(decodeWith(t().SignedEntry, b, 'SignedEntry'))
}

function heads(v: unknown): FeedHead[] {
  const l = list(v)
  if (l.length > MAX_HAVE_FEEDS) throw new WireError('oversized', `more than ${MAX_HAVE_FEEDS} feed heads`)
  return l.map((h) => {
    const o = h as Record<string, unknown>
    const author = str(o.author, 'FeedHead.author', MAX_AUTHOR_BYTES)
    const hash = bytes(o.hash)
    const seq = num(o.seq, 'FeedHead.seq')
    if (author.length === 0) throw new WireError('field-range', 'FeedHead.author is empty')
    if (seq > 0 && hash.length !== 32) throw new WireError('field-range', 'FeedHead.hash is not a sha256')
    return { author, seq, hash }
  })
}

// ---------------------------------------------------------------- sync

export function encodeSyncRequest(m: SyncRequest): Uint8Array {
  return encode(t().SyncRequest, m)
}

export function decodeSyncRequest(b: Uint8Array): SyncRequest {
  const m = decodeWith(t().SyncRequest, b, 'SyncRequest')
  return { have: heads(m.have), push: list(m.push).map(signedEntry) }
}

export function encodeSyncResponse(m: SyncResponse): Uint8Array {
  return encode(t().SyncResponse, m)
}

export function decodeSyncResponse(b: Uint8Array): SyncResponse {
  const m = decodeWith(t().SyncResponse, b, 'SyncResponse')
  return { have: heads(m.have), entries: list(m.entries).map(signedEntry), more: m.more === true }
}

// ---------------------------------------------------------------- query

const LOOKUPS = new Set(['rrset', 'rdata', 'summary', 'new'])
const KINDS = new Set(['rr', 'nxdomain', 'nodata'])

export function encodeQueryRequest(q: QueryRequest): Uint8Array {
  return encode(t().QueryRequest, q)
}

export function decodeQueryRequest(b: Uint8Array): QueryRequest {
  const m = decodeWith(t().QueryRequest, b, 'QueryRequest')
  const lookup = str(m.lookup, 'QueryRequest.lookup')
  if (!LOOKUPS.has(lookup)) throw new WireError('field-range', `unknown lookup ${JSON.stringify(lookup)}`)
  return {
    lookup: lookup as QueryRequest['lookup'],
    value: str(m.value, 'QueryRequest.value'),
    rrtype: str(m.rrtype, 'QueryRequest.rrtype'),
    bailiwick: str(m.bailiwick, 'QueryRequest.bailiwick'),
    first_after: num(m.first_after, 'first_after', true),
    first_before: num(m.first_before, 'first_before', true),
    last_after: num(m.last_after, 'last_after', true),
    last_before: num(m.last_before, 'last_before', true),
    limit: num(m.limit, 'limit'),
    cursor: str(m.cursor, 'QueryRequest.cursor'),
    raw: m.raw === true,
    origin: str(m.origin, 'QueryRequest.origin'),
  }
}

export function encodeQueryAnswer(a: QueryAnswer): Uint8Array {
  const { summary, ...rest } = a
  return encode(t().QueryAnswer, summary === null ? rest : a)
}

function vantage(v: unknown): WireVantage {
  const o = (v ?? {}) as Record<string, unknown>
  return {
    origin: str(o.origin, 'Vantage.origin'),
    first: num(o.first, 'Vantage.first'),
    last: num(o.last, 'Vantage.last'),
    count: num(o.count, 'Vantage.count'),
  }
}

export function decodeQueryAnswer(b: Uint8Array): QueryAnswer {
  const m = decodeWith(t().QueryAnswer, b, 'QueryAnswer')
  const recs = list(m.records)
  if (recs.length > QUERY_RECORDS_PER_FRAME) {
    throw new WireError('oversized', `more than ${QUERY_RECORDS_PER_FRAME} records in one answer frame`)
  }
  const records = recs.map((r): WireRecord => {
    const o = (r ?? {}) as Record<string, unknown>
    const kind = str(o.kind, 'QueryRecord.kind')
    if (!KINDS.has(kind)) throw new WireError('field-range', `unknown record kind ${JSON.stringify(kind)}`)
    const vantages = list(o.vantages).map(vantage)
    if (vantages.length === 0) throw new WireError('field-range', 'a record without a vantage')
    return {
      kind: kind as WireRecord['kind'],
      rrname: str(o.rrname, 'QueryRecord.rrname'),
      rrtype: str(o.rrtype, 'QueryRecord.rrtype'),
      rdata: str(o.rdata, 'QueryRecord.rdata', MAX_ENTRY_BYTES),
      bailiwick: str(o.bailiwick, 'QueryRecord.bailiwick'),
      vantages,
    }
  })
  let summary: WireSummary | null = null
  if (m.summary !== null && m.summary !== undefined) {
    const s = m.summary as Record<string, unknown>
    summary = {
      name: str(s.name, 'NameSummary.name'),
      first: num(s.first, 'NameSummary.first'),
      last: num(s.last, 'NameSummary.last'),
      count: num(s.count, 'NameSummary.count'),
      records: num(s.records, 'NameSummary.records'),
      types: list(s.types).map((x) => {
        const o = (x ?? {}) as Record<string, unknown>
        return {
          rrtype: str(o.rrtype, 'TypeCount.rrtype'),
          records: num(o.records, 'r'),
          count: num(o.count, 'c'),
        }
      }),
      nxdomain: num(s.nxdomain, 'NameSummary.nxdomain'),
      nodata: num(s.nodata, 'NameSummary.nodata'),
      vantages: list(s.vantages).map((x) => {
        const o = (x ?? {}) as Record<string, unknown>
        return {
          origin: str(o.origin, 'VantageCount.origin'),
          records: num(o.records, 'r'),
          count: num(o.count, 'c'),
        }
      }),
    }
  }
  const nameList = list(m.names)
  if (nameList.length > MAX_QUERY_LIMIT)
    throw new WireError('oversized', `more than ${MAX_QUERY_LIMIT} names`)
  const names = nameList.map((n) => str(n, 'QueryAnswer.names', MAX_NAME_TEXT_BYTES))
  return {
    records,
    names,
    done: m.done === true,
    cursor: str(m.cursor, 'QueryAnswer.cursor'),
    error: str(m.error, 'QueryAnswer.error'),
    summary,
  }
}
