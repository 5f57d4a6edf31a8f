/** Bounds of the store (docs/LIMITS.md is generated from these comments). */

/** Problems `pdns-mesh check` keeps in full (its `--list` asks for fewer); the rest are only counted, per kind, so a badly damaged store cannot fill memory with its report. */
export const MAX_CHECK_PROBLEMS_LISTED = 1000

/** Keys per write batch when an index is built at open (the v1 → v2 FIRST migration, the DOMAIN index of an older database): one batch of keys is held at a time, whatever the size of the store. */
export const MIGRATION_BATCH_SIZE = 10_000

/** Milliseconds between two expiry passes of a node with store.retention or store.retention_remote (the first runs at start): a record outlives its retention by at most this much. */
export const EXPIRY_INTERVAL_MS = 10 * 60 * 1000

/** SEEN entries an expiry pass examines per event-loop turn (each one's record re-read and, when old enough, deleted with its index entries in one atomic batch): about the cost of a background window batch, so capture, dnstap and the control socket are read between batches. */
export const EXPIRY_BATCH_SIZE = 1_000

/** New records a store that held none when it opened remembers (in a Bloom filter, at most about 43 MiB) so that it writes them without reading them first; past this many every record is read again. */
export const KNOWN_NEW_MAX_KEYS = 20_000_000

/** Names (and their FWD and DOMAIN keys) the store remembers having written, so that their idempotent index puts are not repeated for each new record of a name (about 160 bytes each); the set starts again empty when full. */
export const WRITTEN_NAMES_CACHED = 50_000

/** A flat batch's first buffer (flat-batch.ts), in bytes; it doubles as operations come. */
export const FLAT_BATCH_FIRST_BYTES = 64 << 10

/**
 * The largest flat batch buffer kept for the next batch, per thread (a store batch of 20 000 records
 * is about 8 MiB); a larger one is left to the garbage collector.
 */
export const FLAT_BATCH_SPARE_MAX_BYTES = 32 << 20
