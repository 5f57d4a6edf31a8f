/** How the check reads keys: whether they are the store's own bytes, and how it names a record. */
import { typeName } from '../../dns/constants.ts'
import {
  decodeFirstKey,
  decodeFwdKey,
  decodeRdataKey,
  decodeSeenKey,
  fwdKey,
  type RecordId,
  rdataKey,
  rrsetOfTtl,
} from '../keys.ts'

export type IndexName = 'rdata' | 'fwd' | 'seen' | 'first' | 'ttl'

/**
 * What an index key says, when it decodes and re-encodes to the same bytes (so that it is the one
 * entry of one record, or of one name and type); null otherwise. A SEEN key is taken as it is: its
 * second pass looks its record key up byte for byte.
 */
export function indexEntry(index: IndexName, key: Buffer): unknown {
  if (index === 'seen') return decodeSeenKey(key)
  if (index === 'first') return decodeFirstKey(key)
  if (index === 'ttl') return rrsetOfTtl(key)
  if (index === 'rdata') {
    const id = decodeRdataKey(key)
    return id !== null && reencodes(() => rdataKey(id), key) ? id : null
  }
  const f = decodeFwdKey(key)
  return f !== null && reencodes(() => fwdKey(f.rrname, f.rrtype), key) ? f : null
}

/** Whether re-encoding a decoded key gives the same bytes (a name that does not encode throws). */
export function reencodes(encode: () => Buffer, key: Buffer): boolean {
  try {
    return encode().equals(key)
  } catch {
    return false
  }
}

/** A record in words, its origin by label when ORIGIN holds it. */
export function describe(id: RecordId, origins: ReadonlyMap<number, string>): string {
  const what = id.kind === 'rr' ? id.rdata : id.kind.toUpperCase()
  return `${id.rrname} ${typeName(id.rrtype)} ${what} (origin ${origins.get(id.origin) ?? `#${id.origin}`})`
}
