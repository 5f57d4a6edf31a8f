/**
 * The small tables, read first: the META schema version, and ORIGIN and ORIGIN# which must name
 * every origin number alike. The origin tables are the one thing the check holds whole.
 */
import { PdnsError } from '../../errors.ts'
import {
  decodeOriginKey,
  decodeU32,
  metaKey,
  ORIGINS_RANGE,
  SCHEMA_VERSION,
  TAG_ORIGIN,
  TAG_ORIGIN_BY_LABEL,
} from '../keys.ts'
import type { CheckContext } from './context.ts'

/** The META schema version: missing or unknown is a problem, a newer one refuses the check. */
export function checkSchema(ctx: CheckContext): void {
  const key = metaKey('schema')
  const [raw] = ctx.db.getMany([key])
  if (raw === undefined) {
    ctx.problems.add('schema', key, 'no schema version (META "schema" is missing)')
    return
  }
  const version = decodeU32(raw)
  if (version === null) {
    ctx.problems.add('schema', key, `unreadable schema version ${raw.toString('hex')}`)
  } else if (version > SCHEMA_VERSION) {
    // a newer layout cannot be judged by this build's rules
    throw new PdnsError(
      'ERR_DB_SCHEMA',
      `the database has schema v${version}; this pdns-mesh checks up to v${SCHEMA_VERSION} (upgrade pdns-mesh)`,
    )
  } else if (version < 1) {
    ctx.problems.add('schema', key, `schema v${version} does not exist (this build knows v${SCHEMA_VERSION})`)
  } else {
    // an older schema is valid as it is; Store.open migrates it at the next writable open
    ctx.schema = version
  }
}

/** Reads ORIGIN into ctx.origins and matches ORIGIN# against it, both ways. */
export function checkOrigins(ctx: CheckContext): void {
  // The origin tables are the one thing held whole: a node has a handful of vantages, and
  // Store.open loads them all the same way.
  for (const [key, value] of ctx.db.range(ORIGINS_RANGE)) {
    ctx.scanner.counted()
    const id = decodeOriginKey(key)
    if (id === null) {
      ctx.problems.add('origin', key, 'ORIGIN key does not decode')
      continue
    }
    ctx.origins.set(id, value.toString('utf8'))
    ctx.counts.origins++
  }
  const byLabel = new Map<string, number>()
  for (const [key, value] of ctx.db.range({
    gte: Uint8Array.of(TAG_ORIGIN_BY_LABEL),
    lt: Uint8Array.of(TAG_ORIGIN_BY_LABEL + 1),
  })) {
    ctx.scanner.counted()
    const label = key.subarray(1).toString('utf8')
    const id = decodeU32(value)
    if (id === null) {
      ctx.problems.add('origin', key, `ORIGIN# entry of "${label}" holds no origin number`)
      continue
    }
    byLabel.set(label, id)
    const there = ctx.origins.get(id)
    if (there !== label) {
      ctx.problems.add(
        'origin',
        key,
        there === undefined
          ? `ORIGIN# names "${label}" origin ${id}, which ORIGIN does not hold`
          : `ORIGIN# names "${label}" origin ${id}, which ORIGIN calls "${there}"`,
      )
    }
  }
  for (const [id, label] of ctx.origins) {
    if (byLabel.get(label) !== id) {
      ctx.problems.add('origin', keyOf(TAG_ORIGIN, id), `origin ${id} "${label}" has no ORIGIN# entry`)
    }
  }
  ctx.scanner.progress()
}

function keyOf(tag: number, id: number): Buffer {
  const b = Buffer.alloc(5)
  b[0] = tag
  b.writeUInt32BE(id, 1)
  return b
}
