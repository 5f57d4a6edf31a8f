/** Bounds of ingestion: the aggregation window and line-oriented imports (docs/LIMITS.md is generated from these comments). */

/** Default memory cap of the aggregation window, bytes (passivedns's cap). Import flushes a full window at once; the node starts writing its window in the background at half the cap and blocks (finishes that flush synchronously) only when fresh plus still-unwritten entries reach the cap. */
export const DEFAULT_WINDOW_MAX_BYTES = 256 * 1024 * 1024

/** Default flush interval of the aggregation window, ms: a crash loses at most this much of the newest data. */
export const DEFAULT_FLUSH_INTERVAL_MS = 10_000

/** Records per RocksDB write batch when a window that flushes synchronously (import) is written. */
export const FLUSH_BATCH_SIZE = 20_000

/** Records per RocksDB write batch of a window that flushes in the background (the node; its stop and cap-forced flushes too), one batch per event-loop turn: about 25 ms of read-modify-write, the longest the flush keeps capture, dnstap and the control socket waiting at a time. */
export const BACKGROUND_FLUSH_BATCH_SIZE = 1_000

/** Estimated bytes a window entry costs besides 4 bytes per character of its identity's text (the record's own strings): index slot, record, value and TTL objects. Measured: 500 k unique A records (with a TTL) held 415 bytes of heap each, estimated at 446. */
export const WINDOW_ENTRY_OVERHEAD = 250

/** Longest COF, Suricata EVE or passivedns line accepted by import, bytes; a longer one is reported as a bad line without being parsed (a file with no newlines cannot fill memory). */
export const MAX_COF_LINE_BYTES = 1024 * 1024

/** Bad lines of an imported COF, Suricata EVE or passivedns file listed by line number in the import's report; all are counted. */
export const BAD_LINES_LISTED = 5

/** Lines at the start of a text import file that must all be of one format (COF, EVE, passivedns) for the file to be read; a file mixing them there is refused. */
export const SNIFF_LINES = 100

/** Records an import hands to its store-writer thread and that are not written yet, at most; past it the reading thread waits for the writer. Bounds memory, and what a crash loses beyond the flush interval (some 5 s of writing). */
export const WRITER_MAX_PENDING_RECORDS = 200_000

/** An import hands window entries nobody added to for this long (ms) to its store-writer thread before the next flush, while the writer has room (WRITER_FED_RECORDS), so that records seen once are written while the input is still being read; records seen again stay in the window and combine. */
export const IMPORT_HAND_OVER_IDLE_MS = 200

/** The backlog of records an import keeps its store-writer thread fed with when it hands over idle window entries early: two batches, about a second of writing. */
export const WRITER_FED_RECORDS = 40_000
