/**
 * The query model (DNSDB's, see ../shared reference): what a query asks and what it returns. Both the
 * local engine (the CLI opening the database itself) and, later, a running node's control channel
 * answer through QueryBackend, so the CLI does not care which one it talks to.
 */
import type { RecordKind } from '../store/keys.ts'

/** Owner-name patterns: `example.com`, `*.example.com` (it and below), `+.example.com` (one label below), `www.example.*` (one or more labels after). */
export type NamePattern =
  | { kind: 'exact'; name: string }
  | { kind: 'below'; name: string }
  | { kind: 'one-below'; name: string }
  | { kind: 'right'; leading: string }

/** DNSDB time fencing, epoch seconds; bounds are inclusive as dnstable applies them (`firstAfter: T` keeps time_first >= T). */
export interface TimeFence {
  firstAfter?: number
  firstBefore?: number
  lastAfter?: number
  lastBefore?: number
}

interface CommonQuery {
  /** undefined or 255 (ANY): every type */
  rrtype?: number
  fence?: TimeFence
  /** only this origin's (vantage's) view; default the merged view of all */
  origin?: string
  /** most records per page (default DEFAULT_LIMIT) */
  limit?: number
  /** opaque, from the previous page */
  cursor?: string
}

export interface RrsetQuery extends CommonQuery {
  name: NamePattern
  bailiwick?: string
  /** which kinds to return (default all: answers and negative answers) */
  kinds?: readonly RecordKind[]
}

/** What an rdata lookup matches. */
export type RdataTarget =
  /** addresses lo..hi inclusive (one address, a CIDR, a range); 4 or 16 bytes each */
  | { kind: 'address'; lo: Uint8Array; hi: Uint8Array }
  /** records pointing at this host name (NS, CNAME, MX, SRV…), or (below) at any name at/under it */
  | { kind: 'name'; name: string; below: boolean }
  /** raw rdata bytes: A/AAAA address bytes, or the RFC 3597 generic form of other types */
  | { kind: 'raw'; bytes: Uint8Array }

export interface RdataQuery extends CommonQuery {
  target: RdataTarget
}

/** One vantage's view of a record. */
export interface VantageView {
  origin: string
  first: number
  last: number
  count: number
}

/** A record as queries return it: the merged view (first = min, last = max, count = sum) and its vantages. */
export interface ResultRecord {
  kind: RecordKind
  rrname: string
  /** mnemonic or TYPEnnn */
  rrtype: string
  rdata: string
  bailiwick: string | null
  first: number
  last: number
  count: number
  /** sorted by origin label */
  vantages: VantageView[]
}

export interface Page {
  records: ResultRecord[]
  /** pass back for the next page; null when there is none */
  cursor: string | null
}

export interface NameSummary {
  name: string
  first: number
  last: number
  /** sum over records and vantages */
  count: number
  /** distinct records (answers and negatives) */
  records: number
  types: { rrtype: string; records: number; count: number }[]
  negatives: { nxdomain: number; nodata: number }
  vantages: { origin: string; records: number; count: number }[]
}

/**
 * Names first seen at or after `since` (the newly-observed-domains feed), newest first. A name is
 * new when the earliest first_seen of its answers — of type `rrtype` when given, as seen by `origin`
 * when given — is at or after `since`; negative answers (NXDOMAIN, NODATA) do not make a name seen.
 */
export interface NewNamesQuery {
  /** epoch seconds */
  since: number
  /** only names at or below this zone */
  under?: string
  /** undefined or 255 (ANY): every type */
  rrtype?: number
  origin?: string
  /** most names per page (default DEFAULT_LIMIT) */
  limit?: number
  /** opaque, from the previous page */
  cursor?: string
}

/** A name first seen in the window, with the merged view of its answers (of the asked type). */
export interface NewName {
  name: string
  /** the name's first sighting: the earliest first_seen of its answers */
  first: number
  last: number
  /** sum over its records and vantages */
  count: number
  /** distinct answers (records) */
  records: number
  /** the types of its answers, mnemonics in type-number order */
  rrtypes: string[]
  /** per vantage, sorted by origin label */
  vantages: VantageView[]
}

export interface NewNamesPage {
  names: NewName[]
  /** pass back for the next page; null when there is none */
  cursor: string | null
}

export interface StoreStats {
  dataDir: string
  schema: number
  /** `entries`: this origin's (record, vantage) pairs */
  origins: { id: number; label: string; local: boolean; entries: number }[]
  /** the mesh feeds held: each author's entries held (its head's seq, less what checkpoints dropped) and their bytes */
  feeds: { author: string; entries: number; bytes: number }[]
  /**
   * disk used for other nodes' data, estimated: their origins' share of the records (entries ×
   * bytesPerRecord) plus their feeds' entries
   */
  remoteBytes: number
  /** distinct records (whatever the number of vantages that saw them): answers, negative answers */
  records: number
  negatives: number
  /** stored (record, vantage) pairs: RRSET keys */
  entries: number
  rdataIndex: number
  names: number
  /** bytes of SST files plus live memtables, from RocksDB */
  diskBytes: number
  /** disk bytes per (record, vantage) pair, all indexes included */
  bytesPerRecord: number | null
}

/** A page of the registered domains the store holds (Public Suffix List), in DOMAIN key order. */
export interface DomainsQuery {
  /** continue after this domain (the previous page's cursor) */
  after?: string
  /** most domains per page (default and most: MAX_DOMAINS_PAGE) */
  limit?: number
}

export interface DomainsPage {
  domains: string[]
  /** pass as `after` for the next page; null when there is none */
  cursor: string | null
}

export interface CallOptions {
  signal?: AbortSignal
}

export interface QueryBackend {
  rrset(q: RrsetQuery, opts?: CallOptions): Promise<Page>
  rdata(q: RdataQuery, opts?: CallOptions): Promise<Page>
  /** null when the name was never seen */
  summary(name: string, opts?: CallOptions & { origin?: string }): Promise<NameSummary | null>
  /** names first seen at or after q.since, newest first (a range scan of the FIRST index) */
  newNames(q: NewNamesQuery, opts?: CallOptions): Promise<NewNamesPage>
  /** every record, one entry per (record, origin), in key order */
  export(opts?: CallOptions): AsyncIterable<ResultRecord>
  stats(opts?: CallOptions): Promise<StoreStats>
  /** the registered domains of the names held (what `lookalikes` scans), a page at a time */
  domains(q: DomainsQuery, opts?: CallOptions): Promise<DomainsPage>
  close(): Promise<void>
}

/** DNSDB v2's default result limit. */
export const DEFAULT_LIMIT = 10_000
