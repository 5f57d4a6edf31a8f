/**
 * Every size bound of the wire, in one place (docs/LIMITS.md lists them). A frame is refused before
 * it is decoded when its length prefix exceeds the bound of its protocol; a peer that sends one is
 * cut off (docs/PROTOCOL.md, "Misbehaviour").
 */

/** Largest sync frame (SyncRequest or SyncResponse), bytes: a few full entries and a have-vector. */
export const MAX_SYNC_FRAME_BYTES = 8 * 1024 * 1024

/** Largest SignedEntry, bytes (Entry with its compressed block, plus the signature). */
export const MAX_ENTRY_BYTES = 1024 * 1024

/** Largest records block once decompressed, bytes: zstd output is capped here (a zip bomb stops). */
export const MAX_BLOCK_BYTES = 8 * 1024 * 1024

/** Most records one entry may carry. */
export const MAX_ENTRY_RECORDS = 20_000

/** Records a sealer puts in one entry at most (below MAX_ENTRY_RECORDS, so entries stay small). */
export const SEAL_RECORDS_PER_ENTRY = 2_000

/** Most distinct origin labels in one entry's records block. */
export const MAX_BLOCK_LABELS = 256

/** Longest origin label suffix (after `<peer id>/`), bytes: the store's label bound. */
export const MAX_LABEL_SUFFIX_BYTES = 200

/** Longest name or rdata text in a record, bytes (a name is ≤ 1004 escaped; rdata text ≤ ~4×65535). */
export const MAX_FIELD_BYTES = 300_000

/** Most FeedHeads in one have-vector (authors a node may hold). */
export const MAX_HAVE_FEEDS = 4096

/** Longest author field (a peer id's multihash: 38 bytes for Ed25519 identity multihashes). */
export const MAX_AUTHOR_BYTES = 64

/** Bytes of entries a responder puts in one SyncResponse before setting `more`. */
export const SYNC_RESPONSE_BUDGET_BYTES = 4 * 1024 * 1024

/** Entries a responder sends on one sync stream at most; the initiator asks again for the rest. */
export const SYNC_STREAM_MAX_ENTRIES = 512

/**
 * Most entries an initiator pushes in one exchange. A peer further behind is not pushed to: it sees
 * the initiator's heads in the request and pulls, so a bulk transfer flows one way only (a push and
 * the peer's own pulls would otherwise carry the same entries at once).
 */
export const PUSH_MAX_ENTRIES = 16

/** Largest query frame (QueryRequest or QueryAnswer), bytes. */
export const MAX_QUERY_FRAME_BYTES = 4 * 1024 * 1024

/** Records per QueryAnswer frame at most. */
export const QUERY_RECORDS_PER_FRAME = 500

/** Most records one peer query may ask for (its `limit`); larger limits are clamped. */
export const MAX_QUERY_LIMIT = 10_000

/** Longest name in an answer's name list, bytes (a name's presentation text, escapes included, is at most 4 × 255). */
export const MAX_NAME_TEXT_BYTES = 1024

/** Longest query value or cursor text, bytes. */
export const MAX_QUERY_TEXT_BYTES = 4096
