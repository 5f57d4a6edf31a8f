/**
 * Bounds of the control channel (docs/LIMITS.md is generated from these comments). Only the node's
 * own user can reach the socket (mode 0600), but a stuck or buggy client must still not hold the node:
 * every request is bounded in size and time.
 */

/** Longest unix socket path, bytes (Linux sun_path holds 108 with its NUL); a longer control or dnstap socket path is ERR_CONFIG (choose a shorter data directory). */
export const MAX_UNIX_SOCKET_PATH_BYTES = 107

/** Largest request body (a query) the node reads, bytes; a larger one is answered 413 (ERR_BAD_QUERY) and the connection is closed unread. */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024

/** Largest request head (request line and headers), bytes; a larger one is answered 431 and the connection closed. */
export const MAX_REQUEST_HEADER_BYTES = 16 * 1024

/** Most headers read from one request; the rest are ignored. */
export const MAX_REQUEST_HEADERS = 64

/** Time a client has to send a whole request head, ms; a slower one is answered 408 and disconnected. */
export const REQUEST_HEADERS_TIMEOUT_MS = 10_000

/** Time a client has to send a whole request (head and body), ms; a slower one is answered 408 and disconnected. */
export const REQUEST_TIMEOUT_MS = 30_000

/** Time an idle keep-alive connection stays open, ms; then the node closes it. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000

/** Most connections open at once; one more is closed at once by the node. */
export const MAX_CONTROL_CONNECTIONS = 64

/** Time a streamed answer (a page, an export) may wait for a client that stopped reading, ms; then the node ends that response and closes its connection. */
export const RESPONSE_STALL_TIMEOUT_MS = 60_000

/** Time stop() waits for answers in flight (already told to end) before closing their connections, ms. */
export const STOP_GRACE_MS = 2_000

/** Client side: time a node may stay silent while a request is answered, ms; then the CLI gives up with ERR_NODE_UNREACHABLE. */
export const CLIENT_IDLE_TIMEOUT_MS = 120_000

/** Client side: time the CLI waits for a node's ping before ERR_NODE_UNREACHABLE, ms. */
export const PING_TIMEOUT_MS = 5_000

/** Client side: time a connection to the control socket may take before the node is taken as running but busy, ms. */
export const PROBE_TIMEOUT_MS = 2_000

/** Client side: largest JSON answer (stats, status, a summary, an error) read from a node, bytes; a larger one is ERR_NODE_UNREACHABLE. */
export const MAX_RESPONSE_JSON_BYTES = 16 * 1024 * 1024

/** Client side: longest line of a streamed answer (one record), bytes; a longer one is ERR_NODE_UNREACHABLE. */
export const MAX_RESPONSE_LINE_BYTES = 16 * 1024 * 1024

/** Most records the node computes for one page request: a larger `limit` is answered in several requests (RemoteBackend follows the cursor), so no single query holds the node's event loop for long. */
export const MAX_CONTROL_PAGE_RECORDS = 10_000

/** Largest `pdns-mesh import` request (its file list) the node reads, bytes; a larger one is answered 413: import the files in several runs. */
export const MAX_IMPORT_REQUEST_BYTES = 1024 * 1024

/** Shortest time between two progress lines of an import's answer, ms (the CLI redraws its bar at most as often). */
export const IMPORT_PROGRESS_EVERY_MS = 100
