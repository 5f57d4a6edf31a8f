/**
 * Schema migrations, run by Store.open on a database of an older schema before anything else reads
 * it. v1 → v2 builds the FIRST index from the RRSET records (every record's first_seen is in its
 * value); TTL entries start empty, since v1 never kept a TTL: old records have no TTL until they are
 * observed again. Memory stays bounded: one batch of MIGRATION_BATCH_SIZE keys at a time. The
 * migration is idempotent (puts of the keys its records imply), so a crash part-way is finished by
 * the next open, which still sees the old version.
 */
import { PdnsError } from '../errors.ts'
import { FIRST_RANGE, firstKey, RRSET_RANGE } from './keys.ts'
import { MIGRATION_BATCH_SIZE } from './limits.ts'
import type { Rocks, Write } from './rocks.ts'
import { decodeValue } from './value.ts'

const EMPTY = Buffer.alloc(0)

/** Brings a database of schema `from` up to the current layout's keys (the caller writes the version). */
export function migrate(rocks: Rocks, from: number): void {
  if (from < 2) buildFirstIndex(rocks)
}

function buildFirstIndex(rocks: Rocks): void {
  // A half-built index of an interrupted migration may be stale if an older build wrote records in
  // between: start from none.
  let writes: Write[] = []
  for (const [key] of rocks.range(FIRST_RANGE, { values: false })) {
    writes.push({ del: key })
    if (writes.length >= MIGRATION_BATCH_SIZE) writes = flush(rocks, writes)
  }
  for (const [key, value] of rocks.range(RRSET_RANGE)) {
    const v = decodeValue(value)
    if (v === null) {
      throw new PdnsError('ERR_DB_CORRUPT', `migration: undecodable value under key ${key.toString('hex')}`)
    }
    writes.push({ put: firstKey(v.first, key), value: EMPTY })
    if (writes.length >= MIGRATION_BATCH_SIZE) writes = flush(rocks, writes)
  }
  flush(rocks, writes)
}

function flush(rocks: Rocks, writes: Write[]): Write[] {
  if (writes.length > 0) rocks.write(writes, {})
  return []
}
