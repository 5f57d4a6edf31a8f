/**
 * The store's schema version: kept in META "schema" (authoritative) and repeated in
 * `<data>/SCHEMA_VERSION`, checked at every open. An older version is migrated (migrate.ts) by a
 * writable open; a newer one is refused, before RocksDB opens it when the marker says so.
 */
import { writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PdnsError } from '../errors.ts'
import { decodeU32, encodeU32, metaKey, SCHEMA_VERSION } from './keys.ts'
import { migrate } from './migrate.ts'
import type { Rocks } from './rocks.ts'

const META_SCHEMA = 'schema'

/**
 * `<data>/SCHEMA_VERSION` repeats the schema version outside RocksDB so that a newer database is
 * refused before this build's RocksDB opens it (an open replays the WAL and rewrites MANIFEST and
 * OPTIONS, which an older build must not do to a newer database). The meta key stays authoritative.
 */
export const SCHEMA_MARKER = 'SCHEMA_VERSION'

/** Refuses (ERR_DB_SCHEMA) a data directory whose marker names a newer schema; no marker passes. */
export async function checkSchemaMarker(dir: string): Promise<void> {
  let text: string
  try {
    text = await readFile(join(dir, SCHEMA_MARKER), 'utf8')
  } catch {
    return
  }
  const version = Number(text.trim())
  if (Number.isInteger(version) && version > SCHEMA_VERSION) {
    throw new PdnsError(
      'ERR_DB_SCHEMA',
      `${dir} holds a database of schema v${version}; this pdns-mesh reads up to v${SCHEMA_VERSION} (upgrade pdns-mesh)`,
    )
  }
}

/**
 * Checks the open database's schema version: an empty database gets the current one (unless
 * read-only), an older one is migrated (a writable open only), a newer or unreadable one refused.
 */
export function checkSchema(rocks: Rocks, dir: string, readOnly: boolean): void {
  const [raw] = rocks.getMany([metaKey(META_SCHEMA)])
  if (raw === undefined) {
    for (const _ of rocks.range({})) {
      throw new PdnsError('ERR_DB_CORRUPT', `${rocks.location} holds data but no schema version`)
    }
    if (readOnly) return
    writeSchema(rocks, dir)
    return
  }
  const version = decodeU32(raw)
  if (version === null || version < 1)
    throw new PdnsError('ERR_DB_CORRUPT', `${rocks.location}: unreadable schema version`)
  if (version > SCHEMA_VERSION) {
    throw new PdnsError(
      'ERR_DB_SCHEMA',
      `${rocks.location} was written with schema v${version}; this pdns-mesh reads up to v${SCHEMA_VERSION} (upgrade pdns-mesh)`,
    )
  }
  if (version === SCHEMA_VERSION) return
  if (readOnly) {
    throw new PdnsError(
      'ERR_DB_SCHEMA',
      `${rocks.location} is schema v${version}: it is migrated to v${SCHEMA_VERSION} by the first writable open (pdns-mesh query, import or start)`,
    )
  }
  // The new version is written only after the migration's last batch: a crash part-way leaves
  // the old version, and the next open runs the (idempotent) migration again.
  migrate(rocks, version)
  writeSchema(rocks, dir)
}

function writeSchema(rocks: Rocks, dir: string): void {
  rocks.write([{ put: metaKey(META_SCHEMA), value: encodeU32(SCHEMA_VERSION) }], { sync: true })
  writeFileSync(join(dir, SCHEMA_MARKER), `${SCHEMA_VERSION}\n`)
}
