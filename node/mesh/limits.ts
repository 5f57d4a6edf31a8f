/**
 * The node-side bounds of the mesh (the wire's own are protocol/limits.ts); docs/LIMITS.md lists both.
 */

/** Concurrent inbound sync streams per connection: a peer syncs with one at a time, plus a push. */
export const SYNC_MAX_INBOUND_STREAMS = 2
/** Concurrent outbound sync streams per connection. */
export const SYNC_MAX_OUTBOUND_STREAMS = 2
/** Concurrent inbound query streams per connection. */
export const QUERY_MAX_INBOUND_STREAMS = 4
/** Concurrent outbound query streams per connection. */
export const QUERY_MAX_OUTBOUND_STREAMS = 4

/** Whole sync exchange (one stream), ms: a stalled peer is given up on, not waited for. */
export const SYNC_TIMEOUT_MS = 60_000
/** One peer query, ms, unless the caller gives a shorter timeout. */
export const QUERY_TIMEOUT_MS = 10_000

/** Push: after a new entry, wait this long for more before syncing (batching). */
export const PUSH_DELAY_MS = 200
/** Push: at most one sync per peer in this interval (rate limit). */
export const PUSH_MIN_INTERVAL_MS = 1_000
/** Anti-entropy: every connected peer is synced at least this often, whatever push did. */
export const ANTI_ENTROPY_INTERVAL_MS = 30_000

/** Redial of a configured peer: first delay and the cap of its exponential backoff. */
export const REDIAL_MIN_MS = 1_000
export const REDIAL_MAX_MS = 60_000

/** Inbound streams (sync + query) a peer may open per FLOOD_WINDOW_MS before it is cut off. */
export const FLOOD_MAX_STREAMS = 200
export const FLOOD_WINDOW_MS = 10_000

/** How long a peer that broke the protocol is refused (the gater denies it), ms. */
export const BAN_MS = 10 * 60_000
/** Score lost per protocol violation; at or below BAN_SCORE the peer is cut off and banned. */
export const VIOLATION_PENALTY = 100
export const BAN_SCORE = -100

/** Entries accepted in one go before yielding to the event loop (capture keeps its turn). */
export const ACCEPT_YIELD_EVERY = 4

/** `new` across the mesh: candidate names whose first sighting is settled (an rrset fan-out each) at once. */
export const NEW_SETTLE_CONCURRENCY = 8

/** A checkpoint reads this many records of the store per event-loop turn (as expiry's batches). */
export const CHECKPOINT_SCAN_BATCH = 2_000
/**
 * A checkpoint starts when this node's own feed carries at least mesh.checkpoint_records records
 * and this many times what it kept after the previous checkpoint: the feed stays within about
 * this factor of the records it restates, and restating costs at most about one record sent per
 * record sealed since.
 */
export const CHECKPOINT_GROWTH = 2
