/**
 * The feeds a node holds: its own (sealed by LocalFeed) and every other author's, as signed entries
 * in the store (keys.ts FEED and HEAD) with one head per author. Entries of other authors are
 * accepted only in order (seq = head + 1, prev = the head's hash) and only when their signature
 * verifies; their records are merged into the store ('max': counts are the origin's cumulative
 * counts) in the same atomic batch as the entry and the new head, so a crash between the two cannot
 * happen and a replay changes nothing.
 */
import {
  type BlockRecord,
  decodeSignedEntry,
  encodeSignedEntry,
  entryRecords,
  type FeedHead,
  NO_CHECKPOINT,
  type SignedEntry,
  verifyEntry,
  WireError,
} from '../../protocol/index.ts'
import { PdnsError } from '../errors.ts'
import { readVarint, writeVarint } from '../store/key-bytes.ts'
import {
  decodeFeedHeadKey,
  FEED_HEAD_RANGE,
  feedHeadKey,
  feedKey,
  feedRange,
  isValidName,
  type RecordKind,
} from '../store/keys.ts'
import type { Write } from '../store/rocks.ts'
import type { RecordUpdate, Store } from '../store/store.ts'
import { isStorableValue } from '../store/value.ts'

const HEAD_V1 = 1
/** v2 adds what checkpoints need: entries held, the latest checkpoint's start and what preceded it */
const HEAD_V2 = 2
const KINDS: RecordKind[] = ['rr', 'nxdomain', 'nodata']
const MAX_LABEL_BYTES = 255

/** Entries, bytes and records of a feed held. */
export interface Held {
  entries: number
  /** SignedEntry encodings */
  bytes: number
  /** records carried (a record counts again in each entry that carries it) */
  records: number
}

const NONE: Held = { entries: 0, bytes: 0, records: 0 }

export interface Head {
  author: string
  seq: number
  hash: Buffer
  /** entries of this author held: seq, less those a checkpoint let go */
  entries: number
  /** bytes of this author's entries held (SignedEntry encodings) */
  bytes: number
  /** records carried by those entries (a record counts again in each entry that carries it) */
  records: number
  /** seq of the first entry of the latest checkpoint seen (0: none since the last one completed) */
  base: number
  /** what was held before `base` when it arrived: what completing that checkpoint lets go */
  beforeBase: Held
  /** records held right after the latest completed checkpoint dropped the entries before it (0: none) */
  kept: number
}

export function encodeHead(h: Head): Buffer {
  const out: number[] = [HEAD_V2]
  writeVarint(out, h.seq)
  for (const b of h.hash) out.push(b)
  for (const n of [h.bytes, h.records, h.entries, h.base]) writeVarint(out, n)
  for (const n of [h.beforeBase.entries, h.beforeBase.bytes, h.beforeBase.records, h.kept])
    writeVarint(out, n)
  return Buffer.from(out)
}

function decodeHead(author: string, b: Uint8Array): Head | null {
  if (b[0] !== HEAD_V1 && b[0] !== HEAD_V2) return null
  const seq = readVarint(b, 1)
  if (seq === null || seq.next + 32 > b.length) return null
  const hash = Buffer.from(b.subarray(seq.next, seq.next + 32))
  const fields: number[] = []
  let at = seq.next + 32
  // v1: bytes, records (every entry since seq 1 held); v2: and the checkpoint fields
  const count = b[0] === HEAD_V1 ? 2 : 8
  for (let i = 0; i < count; i++) {
    const v = readVarint(b, at)
    if (v === null) return null
    fields.push(v.value)
    at = v.next
  }
  if (at !== b.length) return null
  const [bytes, records, entries = seq.value, base = 0, e = 0, by = 0, r = 0, kept = 0] = fields as [
    number,
    number,
    ...number[],
  ]
  return {
    author,
    seq: seq.value,
    hash,
    bytes,
    records,
    entries,
    base,
    beforeBase: { entries: e, bytes: by, records: r },
    kept,
  }
}

/** What accepting one entry did. */
export type AcceptResult =
  | { status: 'applied'; author: string; seq: number; records: number }
  /** already held, byte for byte: harmless (a forwarded copy raced another) */
  | { status: 'duplicate'; author: string; seq: number }
  /** not the next entry of its author: held back, the sender is asked again from the head */
  | { status: 'gap'; author: string; seq: number }

export interface FeedsComponents {
  store: Store
  /**
   * retention (node/store/expiry.ts): a record of an accepted entry whose last_seen is already
   * older than its origin's retention is not written (the entry itself is held and forwarded all the
   * same), so a peer delivering old entries (a new node's first sync) cannot bring back what expiry
   * deleted
   */
  retention?: { keeps(label: string, last: number): boolean }
}

export class Feeds {
  readonly #store: Store
  readonly #retention: FeedsComponents['retention']
  readonly #heads = new Map<string, Head>()
  /** records of accepted entries not written because they were older than their retention */
  #tooOld = 0
  /** listeners for newly held entries (the mesh pushes them on) */
  readonly #listeners = new Set<(author: string, seq: number) => void>()

  constructor(components: FeedsComponents) {
    this.#store = components.store
    this.#retention = components.retention
    for (const [key, value] of this.#store.range(FEED_HEAD_RANGE)) {
      const id = decodeFeedHeadKey(key)
      if (id === null) throw new PdnsError('ERR_DB_CORRUPT', 'bad feed head key')
      const author = this.#store.originLabel(id)
      const h = decodeHead(author, value)
      if (h === null) throw new PdnsError('ERR_DB_CORRUPT', `unreadable feed head of ${author}`)
      this.#heads.set(author, h)
    }
  }

  head(author: string): Head | undefined {
    return this.#heads.get(author)
  }

  /** Every author's head, for a have-vector. */
  heads(): FeedHead[] {
    return [...this.#heads.values()].map((h) => ({ author: h.author, seq: h.seq, hash: h.hash }))
  }

  /** Records of accepted entries left unwritten as older than their retention, since start. */
  get tooOld(): number {
    return this.#tooOld
  }

  get authors(): ReadonlyMap<string, Head> {
    return this.#heads
  }

  onEntry(listener: (author: string, seq: number) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /**
   * Writes that store an entry and advance its author's head (in the caller's batch). The first
   * entry of a checkpoint (base = seq) notes what is held before it; the checkpoint's last
   * (complete) deletes those entries in the same batch, so a crash leaves the feed with or
   * without them, never half.
   */
  entryWrites(
    prev: Head | undefined,
    author: string,
    seq: number,
    encoded: Uint8Array,
    hash: Buffer,
    records: number,
    checkpoint: { base: number; complete: boolean } = NO_CHECKPOINT,
  ): { writes: Write[]; head: Head; dropped: number } {
    const id = this.#store.originId(author)
    const head: Head = {
      author,
      seq,
      hash,
      entries: (prev?.entries ?? 0) + 1,
      bytes: (prev?.bytes ?? 0) + encoded.length,
      records: (prev?.records ?? 0) + records,
      base: prev?.base ?? 0,
      beforeBase: prev?.beforeBase ?? NONE,
      kept: prev?.kept ?? 0,
    }
    if (checkpoint.base !== 0 && checkpoint.base === seq) {
      head.base = seq
      head.beforeBase = {
        entries: prev?.entries ?? 0,
        bytes: prev?.bytes ?? 0,
        records: prev?.records ?? 0,
      }
    }
    const writes: Write[] = [{ put: feedKey(id, seq), value: encoded }]
    let dropped = 0
    // a checkpoint whose start this feed did not see (a restore moved the head in between): its
    // entries before base are kept; only a checkpoint seen from its first entry says what they held
    if (checkpoint.complete && checkpoint.base === head.base && head.base > 0) {
      for (const [key] of this.#store.range(feedRange(id, 1, head.base), { values: false })) {
        writes.push({ del: key })
        dropped++
      }
      head.entries -= dropped
      head.bytes -= head.beforeBase.bytes
      head.records -= head.beforeBase.records
      head.kept = head.records
      head.base = 0
      head.beforeBase = NONE
    }
    writes.push({ put: feedHeadKey(id), value: encodeHead(head) })
    return { writes, head, dropped }
  }

  /** After the batch with entryWrites() is written: the head moves and listeners hear of it. */
  committed(head: Head): void {
    this.#heads.set(head.author, head)
    for (const l of this.#listeners) l(head.author, head.seq)
  }

  /**
   * Encoded SignedEntries of `author` after `after`, oldest first, until `maxBytes` (at least one)
   * or `maxEntries`.
   */
  entriesAfter(author: string, after: number, maxBytes: number, maxEntries: number): SignedEntry[] {
    const id = this.#store.findOrigin(author)
    const head = this.#heads.get(author)
    if (id === undefined || head === undefined || head.seq <= after) return []
    const out: SignedEntry[] = []
    let bytes = 0
    for (const [, value] of this.#store.range(feedRange(id, after + 1))) {
      if (out.length > 0 && (bytes + value.length > maxBytes || out.length >= maxEntries)) break
      out.push(decodeSignedEntry(value))
      bytes += value.length
    }
    return out
  }

  /**
   * Verifies and applies one entry received from a peer. Throws WireError when the entry is forged,
   * altered, malformed, or contradicts an entry already held for the same (author, seq) (a fork:
   * only the author's key could have made it). `restore`: the author is this node itself (its own
   * entries coming back after it lost its store): applied without sealing them again.
   */
  accept(signed: SignedEntry, opts: { self: string }): AcceptResult {
    const { entry, hash } = verifyEntry(signed)
    const author = entry.author
    const head = this.#heads.get(author)
    const have = head?.seq ?? 0
    if (entry.seq <= have) {
      if (entry.seq === have && !hash.equals(head!.hash)) {
        throw new WireError('fork', `entry ${author}#${entry.seq} differs from the one held (a forked feed)`)
      }
      return { status: 'duplicate', author, seq: entry.seq }
    }
    if (entry.seq !== have + 1) {
      // the first entry of a checkpoint follows anything before it: a holder that dropped the
      // entries before a completed checkpoint serves the feed from there (docs/PROTOCOL.md)
      if (entry.base !== entry.seq) return { status: 'gap', author, seq: entry.seq }
    } else if (have > 0 && !head!.hash.equals(entry.prev)) {
      throw new WireError('fork', `entry ${author}#${entry.seq} does not follow the held #${have}`)
    }
    const records = entryRecords(entry)
    let updates = records.map((r) => this.#update(author, r))
    const retention = this.#retention
    if (retention !== undefined) {
      const n = updates.length
      updates = updates.filter((u) => retention.keeps(this.#store.originLabel(u.id.origin), u.value.last))
      this.#tooOld += n - updates.length
    }
    const encoded = encodeSignedEntry(signed)
    const { writes, head: next } = this.entryWrites(
      head,
      author,
      entry.seq,
      encoded,
      hash,
      records.length,
      entry,
    )
    this.#store.apply(updates, { extra: writes, seal: author === opts.self ? false : undefined })
    this.committed(next)
    return { status: 'applied', author, seq: entry.seq, records: records.length }
  }

  #update(author: string, r: BlockRecord): RecordUpdate {
    const label = r.label === '' ? author : `${author}/${r.label}`
    if (r.label.includes('/') || Buffer.byteLength(label) > MAX_LABEL_BYTES) {
      throw new WireError('bad-record', `origin label ${JSON.stringify(label)} is not below its author`)
    }
    const kind = KINDS[r.kind]!
    if (!isValidName(r.rrname) || (r.bailiwick !== null && !isValidName(r.bailiwick))) {
      throw new WireError('bad-record', `a record name is not a domain name: ${JSON.stringify(r.rrname)}`)
    }
    if (kind !== 'rr' && r.rdata !== '') throw new WireError('bad-record', 'a negative answer with rdata')
    const value = { first: r.first, last: r.last, count: r.count }
    if (!isStorableValue(value)) throw new WireError('bad-record', 'a record value cannot be stored')
    return {
      id: {
        kind,
        rrname: r.rrname,
        rrtype: r.rrtype,
        bailiwick: r.bailiwick,
        rdata: r.rdata,
        origin: this.#store.originId(label),
      },
      value,
      mode: 'max',
    }
  }
}
