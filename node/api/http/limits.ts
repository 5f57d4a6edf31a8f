/**
 * Bounds of the HTTP API (docs/LIMITS.md is generated from these comments). Unlike the control socket,
 * the HTTP API faces analysts' scripts and whatever else can reach its port: every request is bounded
 * in size, time, rate and result count, and nothing is read before a key is checked.
 */

/** Default per-key request rate, requests per minute (api.rate and a key's own --rate override it); over it a key is answered 429 with Retry-After. */
export const DEFAULT_API_RATE_PER_MIN = 600

/** Largest per-key rate, requests per minute; a larger api.rate or --rate is refused. */
export const MAX_API_RATE_PER_MIN = 1_000_000

/** Default largest result count per query of a key (api.max_limit, a key's --max-limit overrides it); a larger `limit` is clamped to it. */
export const DEFAULT_API_MAX_LIMIT = 100_000

/** Failed authentications allowed per client address per minute; past them the address is answered 429 (with Retry-After) without checking its key. */
export const MAX_AUTH_FAILURES_PER_MIN = 30

/** Most client addresses (and keys) whose rate state is kept; the least recently seen are forgotten first. */
export const MAX_RATE_ENTRIES = 10_000

/** Most API threads (api.threads): each is an event loop and a V8 heap of its own (about 50 MiB). */
export const MAX_API_THREADS = 64

/** Wait before an API thread that died is started again, ms; doubled after each failed start, up to API_THREAD_RESTART_MAX_MS. */
export const API_THREAD_RESTART_MS = 1_000

/** Longest wait between attempts to start a dead API thread again, ms. */
export const API_THREAD_RESTART_MAX_MS = 30_000

/** Time the node waits for an API thread to stop (after its own API_STOP_GRACE_MS) before terminating it, ms. */
export const API_THREAD_STOP_MARGIN_MS = 3_000

/** Time /metrics waits for an API thread's request metrics before leaving them out of the answer, ms. */
export const API_THREAD_METRICS_WAIT_MS = 2_000

/** Slots of the rate table shared by the API's threads (api.threads > 0): a power of two above MAX_RATE_ENTRIES; past it the least recently refilled entry among an id's probes is forgotten. */
export const SHARED_RATE_SLOTS = 16_384

/** Slots of the shared rate table an id may occupy (from its hash on). */
export const SHARED_RATE_PROBES = 8

/** Records the API asks of the query engine at a time while streaming: the next page is computed only when the client has drained the previous one, so a slow client holds a cursor string, never a store iterator. */
export const API_PAGE_RECORDS = 1_000

/** Characters of NDJSON gathered before a write: an answer shorter than this (nearly every lookup) is sent whole in one write with a content-length; a longer one is streamed in chunks of this size as the socket drains. */
export const ANSWER_CHUNK_CHARS = 64 * 1024

/** Longest a query may run (summed over its pages), ms: a query that would scan the world ends there with `limited` (DNSDB) or its records so far (CIRCL). */
export const API_QUERY_BUDGET_MS = 30_000

/** Largest DNSDB `offset`: records skipped are still read, so the offset is bounded like a limit. */
export const MAX_API_OFFSET = 1_000_000

/** Longest request URL (path and query string), bytes; a longer one is answered 414. */
export const MAX_URL_BYTES = 8 * 1024

/** Longest name or value in a path segment, bytes, after percent-decoding; a longer one is answered 400. */
export const MAX_PATH_VALUE_BYTES = 1024

/** Most API keys in the key file; `apikey create` refuses more. */
export const MAX_API_KEYS = 10_000

/** Largest key file read, bytes; a larger one is refused (ERR_CONFIG) and no key is accepted. */
export const MAX_KEY_FILE_BYTES = 4 * 1024 * 1024

/** Time a client has to send its whole request, ms; then it is answered 408 and disconnected. */
export const API_REQUEST_TIMEOUT_MS = 30_000

/** Time an idle keep-alive connection stays open, ms. */
export const API_KEEP_ALIVE_TIMEOUT_MS = 5_000

/** Time stop() waits for answers in flight before closing their connections, ms. */
export const API_STOP_GRACE_MS = 2_000

/** Most connections open at once on the API listener; more are refused by the kernel's backlog and Node. */
export const MAX_API_CONNECTIONS = 1_024

/** Longest a `mesh=1` query waits for each peer, seconds (`mesh_timeout`); a larger value is answered 400. */
export const MAX_MESH_TIMEOUT_S = 600
