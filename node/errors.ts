/**
 * Every error pdns-mesh reports on purpose is a PdnsError with a stable `code` (listed in
 * docs/errors.md; test/errors-doc.test.ts keeps the two in sync) and, where one exists, a `cause`.
 * The CLI prints `message` alone for these; anything else is a bug and gets a stack trace.
 */
export const ERROR_CODES = {
  ERR_FILE_UNREADABLE: 'a capture file could not be opened or read',
  ERR_UNKNOWN_FORMAT: 'a file is not pcap, pcapng or a gzip of either',
  ERR_TRUNCATED_CAPTURE: 'a capture file ends inside a record or block header',
  ERR_CORRUPT_CAPTURE: 'a capture file holds a structurally impossible record or block',
  ERR_BAD_ARGUMENT: 'a command-line argument or option value is invalid',
  ERR_ABORTED: 'an operation was cancelled through its AbortSignal',
  ERR_OUTPUT: 'results could not be written (stdout failed: a full disk, an I/O error)',
  ERR_BAD_QUERY: 'a query names an invalid name, address, prefix, range, type, time or cursor',
  ERR_BAD_RECORD: 'an imported record (a COF line) is not valid',
  ERR_DB_LOCKED: 'the database is held by another process (a running node, another import)',
  ERR_DB_SCHEMA: 'the database was written by a newer pdns-mesh (schema version above this one)',
  ERR_DB_CORRUPT: 'the database holds a key or value this version cannot decode',
  ERR_DB_IO: 'RocksDB could not open, read or write the database',
  ERR_DB_MISSING: 'no database exists in the data directory',
  ERR_DB_INTEGRITY: 'an integrity check found index entries and records that disagree',
  ERR_CONFIG: 'the node configuration (file, flags) holds an unknown key or an invalid value',
  ERR_NODE_RUNNING: 'a node already runs on this data directory',
  ERR_NODE_UNREACHABLE: "the running node's control socket did not answer as it should",
  ERR_NODE_STOPPING: 'the node is stopping and takes no new work',
  ERR_IMPORT_BUSY: 'the running node is already importing (one import at a time)',
  ERR_CAPTURE_PERMISSION: 'live capture needs root or CAP_NET_RAW and CAP_NET_ADMIN',
  ERR_CAPTURE_INTERFACE: 'a capture interface does not exist or cannot be opened',
  ERR_CAPTURE_UNAVAILABLE: 'the libpcap binding (the pcap addon) is not installed or does not load',
  ERR_DNSTAP_PROTOCOL:
    'a dnstap Frame Streams peer or file broke the protocol (handshake, content type, frame size)',
  ERR_DNSTAP_LISTEN: 'the dnstap listener could not bind its unix socket or TCP address',
  ERR_MESH_LISTEN: 'the mesh (libp2p) could not start or listen on its configured addresses',
  ERR_PEER_PROTOCOL:
    'a mesh peer broke the wire protocol (oversized or undecodable frame, bad signature, forked feed)',
  ERR_PEER_UNREACHABLE: 'a mesh peer could not be dialled, refused the protocol, or did not answer in time',
  ERR_MESH_OFF: 'a mesh command was given to a node whose mesh is off (mesh.listen is empty)',
  ERR_API_LISTEN: 'the HTTP API could not listen on api.listen or api.metrics_listen, or read its TLS files',
  ERR_API_AUTH: 'an HTTP API request carried no API key, or one that is wrong or revoked',
  ERR_API_RATE: 'an API key (or a client address failing to authenticate) is over its request rate',
  ERR_API_KEYS: 'the API key file cannot be read or written, or an apikey command names a key wrongly',
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export class PdnsError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PdnsError'
    this.code = code
  }
}

export function isPdnsError(err: unknown): err is PdnsError {
  return err instanceof PdnsError
}
