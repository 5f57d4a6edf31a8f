/**
 * The one table of configuration keys: name, value check (type, range), default, unit and doc text.
 * The loader validates against it; scripts/tools/config-doc.ts renders docs/CONFIG.md and the
 * example file docs/pdns-mesh.example.toml from it (tests fail when either differs from the table).
 *
 * Defaults are written as a config file would write them (a duration as "10s"), and the default of
 * a key that mirrors another module's default is taken from that module's constant.
 */

import {
  DEFAULT_API_MAX_LIMIT,
  DEFAULT_API_RATE_PER_MIN,
  MAX_API_RATE_PER_MIN,
  MAX_API_THREADS,
} from '../api/http/limits.ts'
import { DEFAULT_DNS_PORTS } from '../capture/decode/ports.ts'
import { MAX_DATA_FRAME_BYTES } from '../dnstap/limits.ts'
import { DEFAULT_SOCKET_MODE, formatMode } from '../dnstap/socket-access.ts'
import { DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_WINDOW_MAX_BYTES } from '../ingest/limits.ts'
import { LOG_LEVELS } from '../log/levels.ts'
import { MAX_QUERY_LIMIT } from '../query/limits.ts'
import {
  boolean,
  type Check,
  duration,
  hostPort,
  integer,
  listenAddress,
  listOf,
  oneOf,
  retention,
  text,
} from './checks.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR } from './data-dir.ts'
import { DNSTAP_MESSAGE_TYPES } from './dnstap-types.ts'
import { formatDuration } from './duration.ts'
import {
  MAX_CAPTURE_BUFFER_MB,
  MAX_CHECKPOINT_RECORDS,
  MAX_CONFIG_LIST_ITEMS,
  MAX_DNSTAP_FRAME_BYTES,
  MAX_FLUSH_INTERVAL_S,
  MAX_RETENTION_DAYS,
  MAX_SHUTDOWN_TIMEOUT_S,
  MAX_SNAPLEN,
  MAX_WINDOW_MB,
  MIN_DNSTAP_FRAME_BYTES,
  MIN_RETENTION_S,
  MIN_SNAPLEN,
  MIN_WINDOW_MB,
} from './limits.ts'
import { interfaceName, multiaddrText, peerIdText, port, socketGroup, socketMode } from './node-checks.ts'

/** A default as a TOML file writes it. */
export type TomlDefault = string | number | boolean | readonly (string | number)[]

export interface KeySpec<T> {
  /** dotted path: `store.window_mb`; a top-level key has no dot */
  readonly path: string
  readonly check: Check<T>
  readonly default: TomlDefault
  readonly unit: string | null
  readonly doc: string
  /** the `start` flag that overrides it, if any */
  readonly flag: string | null
  /** the environment variable that overrides it, if any */
  readonly env: string | null
}

function key<T>(
  path: string,
  check: Check<T>,
  def: TomlDefault,
  doc: string,
  more: { unit?: string; flag?: string; env?: string } = {},
): KeySpec<T> {
  return {
    path,
    check,
    default: def,
    doc,
    unit: more.unit ?? null,
    flag: more.flag ?? null,
    env: more.env ?? null,
  }
}

const MIB = 1024 * 1024

/** Environment variable that replaces api.listen (set but empty: no HTTP API). */
export const API_LISTEN_ENV = 'PDNS_MESH_API'

export { DATA_DIR_ENV, DEFAULT_DATA_DIR }

export const KEYS = {
  dataDir: key(
    'data_dir',
    text({ empty: false }),
    DEFAULT_DATA_DIR,
    'Data directory: the database (db/), the node identity (identity.key), the control socket ' +
      '(control.sock) and the default dnstap socket. A relative path is resolved against the working ' +
      `directory. $${DATA_DIR_ENV} overrides it, and --data overrides both.`,
    { flag: '--data', env: DATA_DIR_ENV },
  ),
  shutdownTimeout: key(
    'shutdown_timeout',
    duration(1, MAX_SHUTDOWN_TIMEOUT_S),
    '10s',
    'Longest the shutdown after SIGINT or SIGTERM may take (inputs stopped, window flushed, database ' +
      "closed); past it the node exits anyway. The window's last flush is one synchronous write that is " +
      'never cut half-way (that would lose what it holds): it runs to its end and the bound is checked ' +
      'after it, so size store.window_mb for it (the store writes about 40 000 records a second, some ' +
      '1.5 s per 16 MiB of window, on a 2-core machine).',
  ),
  logLevel: key(
    'log.level',
    oneOf(LOG_LEVELS),
    'info',
    'Least severe level written. The log is NDJSON on stderr, one object per line, with a `component` ' +
      'field naming the part of the node that wrote it.',
  ),
  captureEnabled: key(
    'capture.enabled',
    boolean,
    true,
    'Capture live traffic with libpcap (needs root, or CAP_NET_RAW and CAP_NET_ADMIN). --no-capture ' +
      'turns it off for one run.',
    { flag: '--no-capture' },
  ),
  captureInterfaces: key(
    'capture.interfaces',
    listOf(interfaceName, { min: 0, max: MAX_CONFIG_LIST_ITEMS, unique: true }),
    [],
    'Interfaces to capture on; empty: the default interface. An interface named here (or with ' +
      '--interface, which replaces this list) that cannot be opened stops the start; the default ' +
      'interface only warns.',
    { flag: '--interface' },
  ),
  capturePorts: key(
    'capture.ports',
    listOf(port, { min: 1, max: MAX_CONFIG_LIST_ITEMS, unique: true }),
    [...DEFAULT_DNS_PORTS],
    'UDP and TCP ports whose traffic is DNS (either direction). Add 5353 for mDNS, 5355 for LLMNR.',
  ),
  captureSnaplen: key(
    'capture.snaplen',
    integer(MIN_SNAPLEN, MAX_SNAPLEN),
    65535,
    'Bytes kept of each captured frame; the default keeps any DNS message over UDP whole.',
    { unit: 'bytes' },
  ),
  capturePromiscuous: key(
    'capture.promiscuous',
    boolean,
    false,
    'Put the interfaces in promiscuous mode (to see traffic of other hosts on a mirror port or hub).',
  ),
  captureBufferMb: key(
    'capture.buffer_mb',
    integer(1, MAX_CAPTURE_BUFFER_MB),
    32,
    'Kernel capture buffer per interface: it absorbs bursts while the node is busy; when it ' +
      'overflows, the kernel drops packets (pdns-mesh stats shows the drop counters of a running node).',
    { unit: 'MiB' },
  ),
  captureFilter: key(
    'capture.filter',
    text({ empty: true }),
    '',
    'An extra BPF filter (tcpdump syntax), combined with "and" with the filter on the DNS ports; ' +
      'empty: none. An invalid filter stops the start.',
  ),
  dnstapListen: key(
    'dnstap.listen',
    listOf(listenAddress, { min: 0, max: MAX_CONFIG_LIST_ITEMS, unique: true }),
    ['unix:dnstap.sock'],
    'Where to accept dnstap Frame Streams connections (unbound, BIND, Knot Resolver, dnsdist): ' +
      'unix:PATH (a relative path is relative to the data directory) or tcp:HOST:PORT (an IPv6 host ' +
      'in brackets). Empty: no dnstap input. --dnstap (repeatable) replaces this list. A TCP listener ' +
      'has no authentication: anyone who can reach it can inject records (under any identity), so ' +
      'bind it to loopback or a management network; a unix socket is guarded by socket_mode and ' +
      'socket_group.',
    { flag: '--dnstap' },
  ),
  dnstapMessageTypes: key(
    'dnstap.message_types',
    listOf(oneOf(DNSTAP_MESSAGE_TYPES), { min: 1, max: DNSTAP_MESSAGE_TYPES.length, unique: true }),
    ['CLIENT_RESPONSE', 'RESOLVER_RESPONSE'],
    'dnstap message types whose DNS responses are recorded; messages of other types are counted and ' +
      'skipped.',
  ),
  dnstapMaxFrameBytes: key(
    'dnstap.max_frame_bytes',
    integer(MIN_DNSTAP_FRAME_BYTES, MAX_DNSTAP_FRAME_BYTES),
    MAX_DATA_FRAME_BYTES,
    'Largest dnstap frame (one message) accepted; a connection sending a larger one is cut, counted ' +
      'as frame_too_large in the node status.',
    { unit: 'bytes' },
  ),
  dnstapSocketMode: key(
    'dnstap.socket_mode',
    socketMode,
    formatMode(DEFAULT_SOCKET_MODE),
    'Permissions of the unix: dnstap sockets, in octal. Connecting needs write permission, so the ' +
      'default 0660 lets the owner (the node\'s user) and the socket group in; "0666" would let every ' +
      'local user inject records.',
  ),
  dnstapSocketGroup: key(
    'dnstap.socket_group',
    socketGroup,
    '',
    'Group given to the unix: dnstap sockets, by name (looked up in /etc/group; an unknown name stops ' +
      "the start) or numeric gid. Set it to the resolver's group when the resolver runs as its own " +
      'user, e.g. "unbound" for Debian\'s unbound while the node runs as root. Empty: the node\'s ' +
      'group. The node must be root (or a member of the group) to give it.',
  ),
  storeFlushInterval: key(
    'store.flush_interval',
    duration(1, MAX_FLUSH_INTERVAL_S),
    formatDuration(DEFAULT_FLUSH_INTERVAL_MS),
    'How often the aggregation window is written to the database: a crash loses at most this much ' +
      'of the newest data; longer intervals aggregate more and write less.',
  ),
  storeWindowMb: key(
    'store.window_mb',
    integer(MIN_WINDOW_MB, MAX_WINDOW_MB),
    DEFAULT_WINDOW_MAX_BYTES / MIB,
    'Memory cap of the aggregation window; a full window is written at once, before its interval ends.',
    { unit: 'MiB' },
  ),
  storeRetention: key(
    'store.retention',
    retention(MIN_RETENTION_S, MAX_RETENTION_DAYS, true),
    '',
    'How long a record is kept after its last sighting ("90d"); older ones are deleted in the ' +
      'background, with their index entries, every few minutes (pdns-mesh stats shows what went). ' +
      "It applies to this node's own origins and to imports (cof:…); peers' data follows " +
      'retention_remote. Empty or "0": records are kept forever. Live: a reload applies it.',
  ),
  storeRetentionRemote: key(
    'store.retention_remote',
    retention(MIN_RETENTION_S, MAX_RETENTION_DAYS, false),
    '',
    "How long peers' records (origins of other mesh nodes) are kept after their last sighting: " +
      'at most store.retention when that is set (a longer one is ERR_CONFIG). Records older than it ' +
      'that a peer sends are not written at all. Empty: the same as store.retention. Live: a reload ' +
      'applies it.',
  ),
  meshListen: key(
    'mesh.listen',
    listOf(multiaddrText(false), { min: 0, max: MAX_CONFIG_LIST_ITEMS, unique: true }),
    [],
    'Multiaddrs the mesh (libp2p over TCP, Noise, yamux) listens on, e.g. ["/ip4/0.0.0.0/tcp/4001"]. ' +
      'Empty: no mesh; the node neither listens nor dials.',
  ),
  meshPeers: key(
    'mesh.peers',
    listOf(multiaddrText(true), { min: 0, max: MAX_CONFIG_LIST_ITEMS, unique: true }),
    [],
    'Peers to dial at start (and redial with backoff while they are away): multiaddrs ending in ' +
      '/p2p/<peer id>. Each peer id must also be in mesh.allow.',
  ),
  meshAllow: key(
    'mesh.allow',
    listOf(peerIdText, { min: 0, max: MAX_CONFIG_LIST_ITEMS, unique: true }),
    [],
    "Peer ids allowed to connect, in either direction (pdns-mesh id prints a node's). Anyone else " +
      'is refused right after the Noise handshake, before any protocol runs.',
  ),
  meshPskFile: key(
    'mesh.psk_file',
    text({ empty: true }),
    '',
    'A libp2p private-network key file (/key/swarm/psk/1.0.0/, /base16/, 64 hex digits): only nodes ' +
      'holding the same key can even start a handshake. A relative path is relative to the data ' +
      'directory. Empty: none.',
  ),
  meshUpdateInterval: key(
    'mesh.update_interval',
    duration(1, 86_400),
    '5m',
    "How often updates of this node's records already sent (a later last-seen, a larger count) are " +
      'sealed for peers, each with its latest value: a record seen at every flush costs one record ' +
      'per interval on the wire and on disk instead of one per flush. New records are sealed and ' +
      'pushed at once, whatever this says. Peers hold counts and last-seen times up to this much ' +
      'behind the node itself.',
  ),
  meshCheckpointRecords: key(
    'mesh.checkpoint_records',
    integer(0, MAX_CHECKPOINT_RECORDS),
    1_000_000,
    "When this node's own feed carries at least this many records, and twice as many as after its " +
      'last checkpoint, the node restates every record of its own that it still holds (a checkpoint, ' +
      'checked every update_interval): the feed and every peer holding it then drop the entries ' +
      'before the checkpoint. Records its retention deleted are not restated, so the feeds stop ' +
      'growing with them. Costs about one record sent to each peer per record restated. 0: never.',
  ),
  meshShare: key(
    'mesh.share',
    oneOf(['all', 'query-only'] as const),
    'all',
    '"all": replicate every record both ways (this node\'s and, forwarded unchanged, every other ' +
      'author\'s signed entries). "query-only": sync nothing, only answer peers\' queries (for an ' +
      'operator who may not hand over its data but may answer questions).',
  ),
  apiListen: key(
    'api.listen',
    hostPort,
    '127.0.0.1:8080',
    'Where the HTTP API listens (HOST:PORT, an IPv6 host in brackets: [::1]:8080): DNSDB API v2 and ' +
      'CIRCL passive DNS for dnsdbq, PyPDNS and the like, and native JSON endpoints (docs/API.md). ' +
      'Every data route needs an API key (pdns-mesh apikey create). Empty: no HTTP API. Loopback by ' +
      'default: bind a public address only with tls_cert and tls_key set, or behind a TLS proxy. ' +
      `$${API_LISTEN_ENV} overrides it (set but empty: off), and --api / --no-api override both.`,
    { flag: '--api', env: API_LISTEN_ENV },
  ),
  apiTlsCert: key(
    'api.tls_cert',
    text({ empty: true }),
    '',
    'A PEM certificate (chain) file: the API speaks HTTPS. A relative path is relative to the data ' +
      'directory. Needs tls_key; empty: plain HTTP.',
  ),
  apiTlsKey: key(
    'api.tls_key',
    text({ empty: true }),
    '',
    'The PEM private key file of tls_cert (relative to the data directory). Empty: plain HTTP.',
  ),
  apiMetricsListen: key(
    'api.metrics_listen',
    hostPort,
    '',
    'A separate listener (HOST:PORT, plain HTTP) for /metrics in the Prometheus text format, without ' +
      'authentication: bind it where only the Prometheus server can reach it. Empty: /metrics is served ' +
      'on api.listen only, and needs a key there.',
  ),
  apiThreads: key(
    'api.threads',
    integer(0, MAX_API_THREADS),
    0,
    'Threads that serve the HTTP API, each on its own core, reading the database the node holds open: ' +
      'queries then run beside capture, dnstap and the mesh instead of between them, and the API answers ' +
      'about as many more requests a second as it has cores to use (docs/API.md). 0: the API runs on ' +
      "the node's own thread. Each thread costs about 50 MiB of memory.",
    { unit: 'threads' },
  ),
  apiRate: key(
    'api.rate',
    integer(1, MAX_API_RATE_PER_MIN),
    DEFAULT_API_RATE_PER_MIN,
    'Requests a minute allowed per API key unless the key has its own (--rate); over it the API ' +
      'answers 429 with Retry-After.',
    { unit: 'requests/min' },
  ),
  apiMaxLimit: key(
    'api.max_limit',
    integer(1, MAX_QUERY_LIMIT),
    DEFAULT_API_MAX_LIMIT,
    'Most records one query returns per API key unless the key has its own (--max-limit): a larger ' +
      'limit is clamped to it, and an answer cut there ends with `limited`.',
    { unit: 'records' },
  ),
} as const

/** Every key, in the order the docs list them (top-level keys first, then section by section). */
export const KEY_LIST: readonly KeySpec<unknown>[] = Object.values(KEYS)

/** The sections (TOML tables), in docs order, with what each configures. */
export const SECTIONS: readonly { name: string; doc: string }[] = [
  { name: 'log', doc: 'The node log.' },
  { name: 'capture', doc: 'Live capture with libpcap.' },
  { name: 'dnstap', doc: 'dnstap input (Frame Streams) from resolvers and authoritative servers.' },
  { name: 'store', doc: 'The aggregation window between the sensor and the database, and retention.' },
  {
    name: 'mesh',
    doc: 'The peer-to-peer mesh: who this node talks to and what it shares (docs/PROTOCOL.md).',
  },
  {
    name: 'api',
    doc: 'The HTTP API for passive DNS clients (DNSDB v2, CIRCL, native JSON) and /metrics (docs/API.md).',
  },
]

export function sectionOf(spec: KeySpec<unknown>): string | null {
  const dot = spec.path.indexOf('.')
  return dot < 0 ? null : spec.path.slice(0, dot)
}

export function leafOf(spec: KeySpec<unknown>): string {
  return spec.path.slice(spec.path.indexOf('.') + 1)
}
