/** Bounds of the store (docs/LIMITS.md is generated from these comments). */

/** Problems `pdns-mesh check` keeps in full (its `--list` asks for fewer); the rest are only counted, per kind, so a badly damaged store cannot fill memory with its report. */
export const MAX_CHECK_PROBLEMS_LISTED = 1000

/** Keys per write batch when an index is built at open (the v1 → v2 FIRST migration, the DOMAIN index of an older database): one batch of keys is held at a time, whatever the size of the store. */
export const MIGRATION_BATCH_SIZE = 10_000

/** New records a store that held none when it opened remembers (in a Bloom filter, at most about 43 MiB) so that it writes them without reading them first; past this many every record is read again. */
export const KNOWN_NEW_MAX_KEYS = 20_000_000

/** Names (and their FWD and DOMAIN keys) the store remembers having written, so that their idempotent index puts are not repeated for each new record of a name (about 160 bytes each); the set starts again empty when full. */
export const WRITTEN_NAMES_CACHED = 50_000
