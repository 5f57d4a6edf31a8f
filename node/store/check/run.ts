/**
 * The check from start to end: the small tables, the record scan, then each index counted (and,
 * when it holds extras, scanned again to name them), then the keys of no table.
 */
import { join } from 'node:path'
import { PdnsError } from '../../errors.ts'
import {
  FIRST_RANGE,
  FWD_RANGE,
  RDATA_RANGE,
  RRSET_RANGE,
  SCHEMA_VERSION,
  SEEN_RANGE,
  TTL_RANGE,
} from '../keys.ts'
import { MAX_CHECK_PROBLEMS_LISTED } from '../limits.ts'
import { Rocks } from '../rocks.ts'
import { checkSchemaMarker } from '../schema.ts'
import type { CheckContext } from './context.ts'
import { checkOrigins, checkSchema } from './origins.ts'
import {
  countIndex,
  findExtraFirst,
  findExtraSeen,
  findOrphanFwd,
  findOrphanRdata,
  findOrphanTtl,
} from './orphans.ts'
import { Problems } from './problems.ts'
import { RecordCheck } from './records.ts'
import { Scanner } from './scanner.ts'
import type { CheckOptions, CheckResult, CheckSource } from './types.ts'
import { checkUnknownTags } from './unknown-keys.ts'

/**
 * Opens the database of a data directory, checks it and closes it. It never writes, but the binding
 * has no read-only open: RocksDB replays its WAL, and a node or an import that holds the lock makes
 * it fail with ERR_DB_LOCKED (stop it first). A database of a newer schema is refused untouched.
 */
export async function checkDataDir(dataDir: string, options: CheckOptions = {}): Promise<CheckResult> {
  // a newer build's database: refused before RocksDB opens (and rewrites) anything
  await checkSchemaMarker(dataDir)
  let rocks: Rocks
  try {
    rocks = await Rocks.open(join(dataDir, 'db'), { createIfMissing: false })
  } catch (err) {
    if (err instanceof PdnsError && err.code === 'ERR_DB_LOCKED') {
      throw new PdnsError(
        'ERR_DB_LOCKED',
        `the database in ${dataDir} is in use by another process (a running node or an import): ` +
          'stop the node first, then check again',
        { cause: err },
      )
    }
    throw err
  }
  try {
    return await checkStore(rocks, options)
  } finally {
    await rocks.close()
  }
}

/** Checks an open database; see index.ts for what is checked. */
export async function checkStore(db: CheckSource, options: CheckOptions = {}): Promise<CheckResult> {
  const ctx: CheckContext = {
    db,
    problems: new Problems(options.maxListed ?? MAX_CHECK_PROBLEMS_LISTED),
    scanner: new Scanner(db, options),
    counts: { records: 0, negatives: 0, names: 0, rdata: 0, fwd: 0, seen: 0, first: 0, ttl: 0, origins: 0 },
    origins: new Map(),
    schema: SCHEMA_VERSION,
  }
  const { scanner } = ctx
  scanner.checkAbort()
  checkSchema(ctx)
  checkOrigins(ctx)
  scanner.phase = 'records'
  const records = new RecordCheck(ctx)
  await scanner.scan(RRSET_RANGE, true, (batch) => records.check(batch))
  // Each index entry the records found is a distinct key: any further valid entry points at no
  // record (or, in SEEN, at another time than its record's last_seen). Counting settles a clean
  // store without a lookup per entry; only when there are extras does a second pass name them.
  scanner.phase = 'rdata'
  if ((await countIndex(ctx, RDATA_RANGE, 'rdata')) > records.found.rdata) {
    await scanner.scan(RDATA_RANGE, false, (batch) => findOrphanRdata(ctx, batch))
  }
  scanner.phase = 'fwd'
  if ((await countIndex(ctx, FWD_RANGE, 'fwd')) > records.found.fwd) {
    await scanner.scan(FWD_RANGE, false, (batch) => findOrphanFwd(ctx, batch))
  }
  scanner.phase = 'seen'
  if ((await countIndex(ctx, SEEN_RANGE, 'seen')) > records.found.seen) {
    await scanner.scan(SEEN_RANGE, false, (batch) => findExtraSeen(ctx, batch))
  }
  // a v1 database has no FIRST or TTL entries to match (those of an interrupted migration are
  // rebuilt by the next open): they are counted, not judged
  const v2 = ctx.schema >= 2
  scanner.phase = 'first'
  if ((await countIndex(ctx, FIRST_RANGE, 'first')) > records.found.first && v2) {
    await scanner.scan(FIRST_RANGE, false, (batch) => findExtraFirst(ctx, batch))
  }
  scanner.phase = 'ttl'
  if ((await countIndex(ctx, TTL_RANGE, 'ttl')) > records.found.ttl && v2) {
    await scanner.scan(TTL_RANGE, false, (batch) => findOrphanTtl(ctx, batch))
  }
  scanner.phase = 'other'
  await checkUnknownTags(ctx)
  scanner.progress()
  return {
    counts: { ...ctx.counts },
    problems: ctx.problems.total,
    byKind: ctx.problems.byKind(),
    listed: ctx.problems.listed,
  }
}
