/**
 * Every bound the dnstap input enforces. Frame Streams peers (resolvers on a socket) and dnstap
 * files are untrusted input: each structure that could make memory or work grow without limit has
 * a cap here, and each doc comment says what happens when the cap is hit (copied verbatim into
 * docs/LIMITS.md).
 */

/** Largest Frame Streams data frame (one dnstap protobuf message) accepted, by files and by default by the server (its maxFrameBytes option sets another). A larger one cuts a live connection (counted as 'frame_too_large') or ends a file with ERR_DNSTAP_PROTOCOL (frames before it are delivered). A dnstap message holds at most a 64 KiB query and a 64 KiB response plus a few fields; fstrm_capture's default read buffer is the same 256 KiB. */
export const MAX_DATA_FRAME_BYTES = 256 * 1024

/** Largest Frame Streams control frame (READY, ACCEPT, START, STOP, FINISH with their fields), as in libfstrm (FSTRM_CONTROL_FRAME_LENGTH_MAX). A larger one cuts the connection (counted as 'frame_too_large') or ends a file with ERR_DNSTAP_PROTOCOL. */
export const MAX_CONTROL_FRAME_BYTES = 512

/** Longest CONTENT_TYPE field of a control frame, as in libfstrm (FSTRM_CONTROL_FIELD_CONTENT_TYPE_LENGTH_MAX). A longer one is a protocol error: the connection is cut ('protocol'), a file ends with ERR_DNSTAP_PROTOCOL. */
export const MAX_CONTENT_TYPE_BYTES = 256

/** Longest dnstap `identity` used as a sensor label, in bytes. A longer identity (or one with control characters or invalid UTF-8) is not used: the message goes to the sink of unnamed sensors (identity null), counted as 'identity.invalid'. */
export const MAX_IDENTITY_BYTES = 255

/** Most distinct dnstap identities (sensor labels) given their own parser and sink; each costs about 1 MiB (the DNS parser's name cache), so a peer inventing identities cannot grow memory past this. Messages of further identities go to the sink of unnamed sensors (identity null), counted as 'identity.overflow'. */
export const MAX_IDENTITIES = 32

/** Most Frame Streams connections the dnstap server holds at once on one endpoint (each unix socket and each TCP listener has its own budget, so writers filling one endpoint, such as a reachable TCP port, cannot lock resolvers out of another, such as the local unix socket). One more on that endpoint is closed at once, counted as 'too_many_connections'. */
export const MAX_DNSTAP_CONNECTIONS_PER_ENDPOINT = 64

/** Time a new connection has to complete the Frame Streams handshake (READY/ACCEPT/START, or START alone); past it the connection is cut, counted as 'handshake_timeout'. */
export const HANDSHAKE_TIMEOUT_MS = 10_000

/** Time a started connection may stay silent (no byte received); past it the connection is cut, counted as 'idle_timeout', freeing its slot (a vanished TCP peer, or a peer holding slots without sending). Long on purpose: a resolver on a quiet network may legitimately send nothing for minutes, and one that is cut reconnects at once (unbound within 10 ms to 1 s, and messages produced meanwhile wait in its queue), so a quiet resolver pays one reconnect per period. Only a frame written at the very instant of the cut could be lost. */
export const DNSTAP_IDLE_TIMEOUT_MS = 15 * 60_000

/** Most bytes of partial frames (frames split across socket reads, being assembled) the dnstap server holds over all its connections together; buffers grow as bytes arrive, never to a frame's announced length at once. A connection whose partial frame would take the total past it is cut, counted as 'buffer_budget'; the others keep going. With the default frame limit one endpoint's connections cannot reach it (64 × 256 KiB = 16 MiB); it bounds memory when dnstap.max_frame_bytes is raised. */
export const MAX_DNSTAP_PENDING_BYTES = 64 * 1024 * 1024
