/**
 * The index passes. The first counts an index's entries and reports those that do not decode as the
 * store writes them; when it holds more valid entries than the records found, a second pass looks
 * each entry's record up to name the orphans (or, in SEEN, the entries at an old time).
 */
import { typeName } from '../../dns/constants.ts'
import {
  decodeFirstKey,
  decodeFwdKey,
  decodeRrsetKey,
  decodeSeenKey,
  type RecordId,
  rrsetKey,
  rrsetOfTtl,
  rrsetTypeRange,
} from '../keys.ts'
import type { Range } from '../rocks.ts'
import { decodeValue, isStorableValue } from '../value.ts'
import type { CheckContext } from './context.ts'
import { describe, type IndexName, indexEntry } from './entries.ts'
import type { Batch } from './scanner.ts'

/**
 * First pass over an index: counts its entries, reports those that do not decode as the store
 * writes them, and returns how many do. Each of those is at most one record's entry.
 */
export async function countIndex(ctx: CheckContext, range: Range, index: IndexName): Promise<number> {
  let valid = 0
  await ctx.scanner.scan(range, false, (batch) => {
    for (const [key] of batch) {
      ctx.counts[index]++
      if (indexEntry(index, key) !== null) valid++
      else ctx.problems.add('bad-key', key, `${index.toUpperCase()} key does not decode`)
    }
  })
  return valid
}

export function findOrphanRdata(ctx: CheckContext, batch: Batch): void {
  const good: { key: Buffer; id: RecordId }[] = []
  for (const [key] of batch) {
    const id = indexEntry('rdata', key) as RecordId | null
    if (id !== null) good.push({ key, id })
  }
  const records = ctx.db.getMany(good.map((r) => rrsetKey(r.id)))
  for (let i = 0; i < good.length; i++) {
    if (records[i] !== undefined) continue
    const r = good[i]!
    ctx.problems.add('orphan-rdata', r.key, `RDATA entry of ${describe(r.id, ctx.origins)}: no such record`)
  }
}

/** A FWD entry has no exact record key: one short scan of its name and type each. */
export function findOrphanFwd(ctx: CheckContext, batch: Batch): void {
  for (const [key] of batch) {
    const f = decodeFwdKey(key)
    if (f === null || indexEntry('fwd', key) === null) continue
    let found = false
    for (const _ of ctx.db.range(rrsetTypeRange(f.rrname, f.rrtype), { values: false })) {
      found = true
      break
    }
    if (!found) {
      ctx.problems.add('orphan-fwd', key, `FWD entry of ${f.rrname} ${typeName(f.rrtype)}: no such record`)
    }
  }
}

export function findExtraSeen(ctx: CheckContext, batch: Batch): void {
  const good: { key: Buffer; lastSeen: number; rrset: Buffer }[] = []
  for (const [key] of batch) {
    const s = decodeSeenKey(key)
    if (s !== null) good.push({ key, ...s })
  }
  const records = ctx.db.getMany(good.map((s) => s.rrset))
  for (let i = 0; i < good.length; i++) {
    const s = good[i]!
    const raw = records[i]
    const id = decodeRrsetKey(s.rrset)
    const what = id === null ? s.rrset.toString('hex') : describe(id, ctx.origins)
    if (raw === undefined) {
      ctx.problems.add('orphan-seen', s.key, `SEEN entry at ${s.lastSeen} of ${what}: no such record`)
      continue
    }
    const v = decodeValue(raw)
    // an unreadable or impossible value is reported with its record; its SEEN entry cannot be judged
    if (v !== null && isStorableValue(v) && v.last !== s.lastSeen) {
      ctx.problems.add('stale-seen', s.key, `SEEN entry at ${s.lastSeen} of ${what}, last seen ${v.last}`)
    }
  }
}

/** FIRST entries beyond one per record: whose record is missing, or whose first_seen moved. */
export function findExtraFirst(ctx: CheckContext, batch: Batch): void {
  const good: { key: Buffer; firstSeen: number; rrset: Buffer }[] = []
  for (const [key] of batch) {
    const f = decodeFirstKey(key)
    if (f !== null) good.push({ key, ...f })
  }
  const records = ctx.db.getMany(good.map((f) => f.rrset))
  for (let i = 0; i < good.length; i++) {
    const f = good[i]!
    const raw = records[i]
    const id = decodeRrsetKey(f.rrset)
    const what = id === null ? f.rrset.toString('hex') : describe(id, ctx.origins)
    if (raw === undefined) {
      ctx.problems.add('orphan-first', f.key, `FIRST entry at ${f.firstSeen} of ${what}: no such record`)
      continue
    }
    const v = decodeValue(raw)
    if (v !== null && isStorableValue(v) && v.first !== f.firstSeen) {
      ctx.problems.add(
        'stale-first',
        f.key,
        `FIRST entry at ${f.firstSeen} of ${what}, first seen ${v.first}`,
      )
    }
  }
}

/** TTL entries beyond those the records found: whose record is missing. */
export function findOrphanTtl(ctx: CheckContext, batch: Batch): void {
  const good: { key: Buffer; rrset: Buffer }[] = []
  for (const [key] of batch) {
    const rrset = rrsetOfTtl(key)
    if (rrset !== null) good.push({ key, rrset })
  }
  const records = ctx.db.getMany(good.map((t) => t.rrset))
  for (let i = 0; i < good.length; i++) {
    if (records[i] !== undefined) continue
    const t = good[i]!
    const id = decodeRrsetKey(t.rrset)
    const what = id === null ? t.rrset.toString('hex') : describe(id, ctx.origins)
    ctx.problems.add('orphan-ttl', t.key, `TTL entry of ${what}: no such record`)
  }
}
