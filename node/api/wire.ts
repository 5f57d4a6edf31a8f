/**
 * Queries on the wire: the query objects of node/query/types.ts as JSON, with RdataTarget's byte
 * fields as hex. The node re-validates everything it receives (decode*): a client is never trusted
 * to have parsed its input, and every rejection is ERR_BAD_QUERY naming the field.
 *
 * Decoding keeps the fields in the order they arrived: a paging cursor carries a fingerprint of the
 * query's JSON, so the node must rebuild the very object the client's parser built, or a cursor
 * obtained from the node would not fit the same query run locally (and the reverse).
 */
import { PdnsError } from '../errors.ts'
import { checkFence } from '../query/fence.ts'
import { MAX_QUERY_LIMIT } from '../query/limits.ts'
import { normalizeName } from '../query/parse.ts'
import type {
  NamePattern,
  NewNamesQuery,
  RdataQuery,
  RdataTarget,
  RrsetQuery,
  TimeFence,
} from '../query/types.ts'
import type { RecordKind } from '../store/keys.ts'

function bad(message: string): PdnsError {
  return new PdnsError('ERR_BAD_QUERY', message)
}

// ---------------------------------------------------------------- client side

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

function encodeTarget(t: RdataTarget): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(t)) out[k] = v instanceof Uint8Array ? hex(v) : v
  return out
}

export function encodeRrsetQuery(q: RrsetQuery): unknown {
  return q
}

export function encodeRdataQuery(q: RdataQuery): unknown {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(q)) out[k] = k === 'target' ? encodeTarget(v as RdataTarget) : v
  return out
}

// ---------------------------------------------------------------- node side

type Decoder = (value: unknown, field: string) => unknown

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Decodes the fields of an object in their order; a field without a decoder is rejected (a Map,
 * so that `__proto__` or `constructor` is just another unknown field).
 */
function fields(value: unknown, what: string, decoders: Map<string, Decoder>, required: string[]) {
  if (!isObject(value)) throw bad(`${what}: expected an object`)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    const decode = decoders.get(k)
    if (decode === undefined) throw bad(`${what}: unknown field ${JSON.stringify(k)}`)
    Object.defineProperty(out, k, { value: decode(v, `${what}.${k}`), enumerable: true, writable: true })
  }
  for (const k of required) {
    if (!Object.hasOwn(out, k)) throw bad(`${what}: ${k} is missing`)
  }
  return out
}

function integer(min: number, max: number): Decoder {
  return (v, field) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw bad(`${field}: expected an integer from ${min} to ${max}`)
    }
    return v
  }
}

const string: Decoder = (v, field) => {
  if (typeof v !== 'string') throw bad(`${field}: expected a string`)
  return v
}

const boolean: Decoder = (v, field) => {
  if (typeof v !== 'boolean') throw bad(`${field}: expected true or false`)
  return v
}

/** A name in canonical form (what the CLI's parser yields); the root only where `root` allows it. */
function name(root: boolean): Decoder {
  return (v, field) => {
    const n = normalizeName(string(v, field) as string, field)
    if (n === '.' && !root) throw bad(`${field}: the root here matches every name; name a zone`)
    return n
  }
}

const time = integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)

const FENCE = new Map<string, Decoder>([
  ['firstAfter', time],
  ['firstBefore', time],
  ['lastAfter', time],
  ['lastBefore', time],
])

const KINDS: readonly RecordKind[] = ['rr', 'nxdomain', 'nodata']

const kinds: Decoder = (v, field) => {
  if (!Array.isArray(v) || v.length === 0 || v.length > KINDS.length) {
    throw bad(`${field}: expected a list of ${KINDS.join(', ')}`)
  }
  v.forEach((k, i) => {
    if (!KINDS.includes(k as RecordKind) || v.indexOf(k) !== i) {
      throw bad(`${field}: expected distinct kinds among ${KINDS.join(', ')}`)
    }
  })
  return [...v]
}

const COMMON: [string, Decoder][] = [
  ['rrtype', integer(0, 65535)],
  [
    'fence',
    (v, field) => {
      const fence = fields(v, field, FENCE, []) as TimeFence
      // the CLI refuses these before sending; a client that did not is refused the same way
      checkFence(fence, {
        firstAfter: `${field}.firstAfter`,
        firstBefore: `${field}.firstBefore`,
        lastAfter: `${field}.lastAfter`,
        lastBefore: `${field}.lastBefore`,
      })
      return fence
    },
  ],
  ['origin', string],
  ['limit', integer(1, MAX_QUERY_LIMIT)],
  ['cursor', string],
]

const PATTERN_FIELDS: Record<NamePattern['kind'], Map<string, Decoder>> = {
  exact: new Map([['name', name(true)]]),
  below: new Map([['name', name(false)]]),
  'one-below': new Map([['name', name(false)]]),
  right: new Map([['leading', name(false)]]),
}

/** A tagged union: `kind` picks the decoders of the other fields. */
function tagged(table: Record<string, Map<string, Decoder>>): Decoder {
  return (v, field) => {
    const kind = isObject(v) ? v.kind : undefined
    if (typeof kind !== 'string' || !Object.hasOwn(table, kind)) {
      throw bad(`${field}: kind must be one of ${Object.keys(table).join(', ')}`)
    }
    const decoders = new Map<string, Decoder>([['kind', string], ...table[kind]!])
    return fields(v, field, decoders, [...decoders.keys()])
  }
}

function bytes(min: number, max: number, sizes?: readonly number[]): Decoder {
  return (v, field) => {
    if (typeof v !== 'string' || !/^(?:[0-9a-f]{2})*$/i.test(v)) throw bad(`${field}: expected hex bytes`)
    const n = v.length / 2
    if (n < min || n > max || (sizes !== undefined && !sizes.includes(n))) {
      throw bad(`${field}: ${n} bytes is not a valid length here`)
    }
    return Uint8Array.from(Buffer.from(v, 'hex'))
  }
}

const TARGET_FIELDS: Record<RdataTarget['kind'], Map<string, Decoder>> = {
  address: new Map([
    ['lo', bytes(4, 16, [4, 16])],
    ['hi', bytes(4, 16, [4, 16])],
  ]),
  name: new Map([
    ['name', name(true)],
    ['below', boolean],
  ]),
  raw: new Map([['bytes', bytes(1, 65535)]]),
}

const target: Decoder = (v, field) => {
  const t = tagged(TARGET_FIELDS)(v, field) as RdataTarget
  if (t.kind === 'address') {
    if (t.lo.length !== t.hi.length) throw bad(`${field}: lo and hi are of different address families`)
    if (Buffer.compare(t.lo, t.hi) > 0) throw bad(`${field}: lo is above hi`)
  }
  if (t.kind === 'name' && t.below && t.name === '.') throw bad(`${field}: below the root is every name`)
  return t
}

const RRSET = new Map<string, Decoder>([
  ['name', tagged(PATTERN_FIELDS)],
  ['bailiwick', name(true)],
  ['kinds', kinds],
  ...COMMON,
])

const RDATA = new Map<string, Decoder>([['target', target], ...COMMON])

export function decodeRrsetQuery(body: unknown): RrsetQuery {
  return fields(body, 'query', RRSET, ['name']) as unknown as RrsetQuery
}

export function decodeRdataQuery(body: unknown): RdataQuery {
  return fields(body, 'query', RDATA, ['target']) as unknown as RdataQuery
}

const NEW_NAMES = new Map<string, Decoder>([
  ['since', integer(0, 0xffffffff)],
  ['under', name(false)],
  ...COMMON.filter(([k]) => k !== 'fence'),
])

export function encodeNewNamesQuery(q: NewNamesQuery): unknown {
  return q
}

export function decodeNewNamesQuery(body: unknown): NewNamesQuery {
  return fields(body, 'query', NEW_NAMES, ['since']) as unknown as NewNamesQuery
}

const SUMMARY = new Map<string, Decoder>([
  ['name', name(true)],
  ['origin', string],
])

export function decodeSummaryRequest(body: unknown): { name: string; origin?: string } {
  return fields(body, 'request', SUMMARY, ['name']) as { name: string; origin?: string }
}
