/** The types of the check's public surface: its options, its source, its progress and its result. */
import type { Range } from '../rocks.ts'
import type { CheckProblem, ProblemKind } from './problems.ts'

export interface CheckCounts {
  /** RRSET entries: (record, vantage) pairs, answers and negative answers */
  records: number
  /** of which negative answers (NXDOMAIN, NODATA): they have no RDATA entry */
  negatives: number
  /** (name, type) pairs among the records */
  names: number
  rdata: number
  fwd: number
  seen: number
  /** FIRST entries (schema v2; 0 in a v1 database, which has none) */
  first: number
  /** TTL entries (schema v2): local records observed with a TTL */
  ttl: number
  origins: number
}

export type CheckPhase = 'origins' | 'records' | 'rdata' | 'fwd' | 'seen' | 'first' | 'ttl' | 'other'

export interface CheckProgress {
  phase: CheckPhase
  /** entries scanned so far, all phases */
  scanned: number
  /** RocksDB's estimate of the keys there are (rocksdb.estimate-num-keys); 0 when unknown */
  estimatedTotal: number
}

export interface CheckResult {
  counts: CheckCounts
  /** every problem found */
  problems: number
  /** every problem found, per kind (kinds with none are left out) */
  byKind: Partial<Record<ProblemKind, number>>
  /** the first `maxListed` problems in the order found */
  listed: CheckProblem[]
}

export interface CheckOptions {
  signal?: AbortSignal
  /** called after every batch of entries */
  onProgress?: (p: CheckProgress) => void
  /** problems listed in full (all are counted); default MAX_CHECK_PROBLEMS_LISTED */
  maxListed?: number
}

/** What the check reads: a Store or a Rocks; it never writes. */
export interface CheckSource {
  range(range: Range, options?: { values?: boolean }): Iterable<[Buffer, Buffer]>
  getMany(keys: Uint8Array[]): (Buffer | undefined)[]
  property(name: string): string | null
}
