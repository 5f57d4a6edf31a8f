/**
 * Bounds on the node configuration (docs/LIMITS.md is generated from these comments). A config file
 * and `start` flags are operator input: a value outside its range is ERR_CONFIG naming the key, and
 * nothing starts. Key by key ranges and defaults are in docs/CONFIG.md.
 */

/** Largest config file read, bytes; a larger one is ERR_CONFIG without being parsed. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024

/** Longest string value (a path, an interface name, a BPF filter), bytes; a longer one is ERR_CONFIG. */
export const MAX_CONFIG_STRING_BYTES = 4096

/** Most entries of a list key (capture.interfaces, capture.ports, dnstap.listen); a longer list is ERR_CONFIG. */
export const MAX_CONFIG_LIST_ITEMS = 64

/** Smallest capture.snaplen, bytes; a smaller one is ERR_CONFIG (it would cut most DNS messages). */
export const MIN_SNAPLEN = 256

/** Largest capture.snaplen, bytes (libpcap's own maximum); a larger one is ERR_CONFIG. */
export const MAX_SNAPLEN = 262_144

/** Largest capture.buffer_mb (the kernel capture buffer per interface, MiB); a larger one is ERR_CONFIG. */
export const MAX_CAPTURE_BUFFER_MB = 4096

/** Smallest dnstap.max_frame_bytes; a smaller one is ERR_CONFIG (Frame Streams control frames and small messages must fit). */
export const MIN_DNSTAP_FRAME_BYTES = 4096

/** Largest dnstap.max_frame_bytes; a larger one is ERR_CONFIG (a connection buffers at most one partial frame, and all connections together at most MAX_DNSTAP_PENDING_BYTES). */
export const MAX_DNSTAP_FRAME_BYTES = 16 * 1024 * 1024

/** Smallest store.window_mb; a smaller one is ERR_CONFIG (the window would flush almost continuously). */
export const MIN_WINDOW_MB = 16

/** Largest store.window_mb; a larger one is ERR_CONFIG. */
export const MAX_WINDOW_MB = 65_536

/** Longest store.flush_interval, seconds; a longer one is ERR_CONFIG (a crash loses up to this much of the newest data). */
export const MAX_FLUSH_INTERVAL_S = 3600

/** Longest shutdown_timeout, seconds; a longer one is ERR_CONFIG. */
export const MAX_SHUTDOWN_TIMEOUT_S = 600

/** Shortest store.retention and store.retention_remote, seconds; a shorter one is ERR_CONFIG (records would be expired while peers and the window still deliver them). */
export const MIN_RETENTION_S = 3600

/** Longest store.retention and store.retention_remote, days; a longer one is ERR_CONFIG (the store keys times as u32 seconds: nothing is older than that). */
export const MAX_RETENTION_DAYS = 36_500

/** mesh.checkpoint_records: at most (a checkpoint's trigger beyond this would let a feed grow unbounded in practice) */
export const MAX_CHECKPOINT_RECORDS = 1_000_000_000
