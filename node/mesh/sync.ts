/**
 * The sync exchange (/pdns-mesh/sync/1.0.0), both sides. One stream is one exchange:
 *
 *   initiator → SyncRequest { have: its heads, push: entries it believes the responder lacks }
 *   responder ← applies push, then one SyncResponse { have: its heads, entries the initiator
 *               lacks (up to SYNC_RESPONSE_BUDGET_BYTES), more = false }
 *
 * In sync, that is one round trip of two have-vectors. The initiator learns from the responder's
 * have what the responder still lacks and pushes it in its next exchange, so both directions
 * converge through exchanges started by either side. Frames are length-prefixed and bounded before
 * decoding (protocol/limits.ts).
 */
import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import {
  decodeEntry,
  decodeSyncRequest,
  decodeSyncResponse,
  encodeSyncRequest,
  encodeSyncResponse,
  type FeedHead,
  MAX_SYNC_FRAME_BYTES,
  PUSH_MAX_ENTRIES,
  type SignedEntry,
  SYNC_RESPONSE_BUDGET_BYTES,
  SYNC_STREAM_MAX_ENTRIES,
} from '../../protocol/index.ts'
import type { AcceptResult, Feeds } from './feeds.ts'
import { ACCEPT_YIELD_EVERY } from './limits.ts'

export interface SyncComponents {
  feeds: Feeds
  /** this node's peer id (its own entries coming back are a restore, not a fork) */
  self: string
  /** accepted or refused, per entry (counters, the peer's have) */
  onAccepted?: (r: AcceptResult, bytes: number) => void
  /** every frame on the stream, length prefix included: what the exchange cost on the wire */
  onFrame?: (direction: 'in' | 'out', bytes: number) => void
  /** the initiator's push, before it is written: last seq per author (on its way until the answer) */
  onPush?: (reached: ReadonlyMap<string, number>) => void
}

function varintLength(n: number): number {
  let len = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    len++
  }
  return len
}

function framed(c: SyncComponents, direction: 'in' | 'out', body: { byteLength: number }): void {
  c.onFrame?.(direction, body.byteLength + varintLength(body.byteLength))
}

export interface SyncOutcome {
  /** the other side's heads */
  theirHave: FeedHead[]
  received: number
  applied: number
  sent: number
  /** records carried by the entries sent (their signed `records` counts) */
  recordsSent: number
  /** bytes of the entries sent */
  bytesSent: number
  /** an entry arrived out of order, or the responder stopped at its per-stream bound: sync again */
  behind: boolean
  /** the responder's answer: last seq sent per author (empty for the initiator) */
  reached: ReadonlyMap<string, number>
}

/** The record count an entry's author signed (the Entry header only: its block stays compressed). */
function recordsIn(entries: readonly SignedEntry[]): number {
  let n = 0
  for (const e of entries) n += decodeEntry(e.entry).records
  return n
}

function entrySize(e: SignedEntry): number {
  return e.entry.length + e.signature.length + 8
}

const breathe = () => new Promise((resolve) => setImmediate(resolve))

async function acceptAll(c: SyncComponents, entries: readonly SignedEntry[]) {
  let applied = 0
  let gap = false
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!
    const r = c.feeds.accept(e, { self: c.self })
    c.onAccepted?.(r, entrySize(e))
    if (r.status === 'applied') applied++
    if (r.status === 'gap') gap = true
    // applying is synchronous store work: capture, dnstap and the control socket get turns between
    if ((i + 1) % ACCEPT_YIELD_EVERY === 0) await breathe()
  }
  return { applied, gap }
}

/** Entries `feeds` holds beyond `have`, oldest first per author, within the byte and entry budgets. */
export function entriesBeyond(
  feeds: Feeds,
  have: ReadonlyMap<string, number>,
  maxBytes: number,
  maxEntries: number,
): { entries: SignedEntry[]; reached: Map<string, number>; complete: boolean } {
  const entries: SignedEntry[] = []
  const reached = new Map<string, number>()
  let bytes = 0
  for (const [author, head] of feeds.authors) {
    const theirs = have.get(author) ?? 0
    if (head.seq <= theirs) continue
    if (bytes >= maxBytes || entries.length >= maxEntries) return { entries, reached, complete: false }
    const got = feeds.entriesAfter(author, theirs, maxBytes - bytes, maxEntries - entries.length)
    for (const e of got) bytes += entrySize(e)
    entries.push(...got)
    // the last seq sent, not theirs + how many: a feed a checkpoint shortened starts past theirs + 1
    const last = got.length === 0 ? theirs : decodeEntry(got.at(-1)!.entry).seq
    reached.set(author, last)
    if (last < head.seq) return { entries, reached, complete: false }
  }
  return { entries, reached, complete: true }
}

export function haveMap(heads: readonly FeedHead[]): Map<string, number> {
  return new Map(heads.map((h) => [h.author, h.seq]))
}

/**
 * One frame must fit the stream's read buffer (@libp2p/utils buffers 4 MiB by default, less than a
 * full frame), and a responder writes one frame per exchange, so the buffer never holds two.
 */
const SYNC_STREAM_OPTIONS = { maxDataLength: MAX_SYNC_FRAME_BYTES, maxBufferSize: MAX_SYNC_FRAME_BYTES + 16 }

const NOTHING = { entries: [] as SignedEntry[], reached: new Map<string, number>(), complete: true }

/**
 * The initiator's side: push what the peer lacks, take what we lack. `theirHave` is what we believe
 * the peer holds, or null when we have never seen its heads (a new or restarted peer): then nothing
 * is pushed, since it may hold everything already, and its answer's have-vector says what to push
 * next. What is pushed is told to `c.onPush` before it is written, so an exchange the other way
 * that overlaps this one does not send it again.
 */
export async function initiateSync(
  c: SyncComponents,
  stream: Stream,
  theirHave: ReadonlyMap<string, number> | null,
  opts: { signal?: AbortSignal } = {},
): Promise<SyncOutcome> {
  const lp = lpStream(stream, SYNC_STREAM_OPTIONS)
  let push =
    theirHave === null
      ? NOTHING
      : entriesBeyond(c.feeds, theirHave, SYNC_RESPONSE_BUDGET_BYTES, PUSH_MAX_ENTRIES)
  // further behind than a push carries: the peer pulls (it sees our heads in this request)
  if (!push.complete) push = NOTHING
  c.onPush?.(push.reached)
  const request = encodeSyncRequest({ have: c.feeds.heads(), push: push.entries })
  framed(c, 'out', request)
  await lp.write(request, opts)
  let first = true
  let theirs: FeedHead[] = []
  let received = 0
  let applied = 0
  let behind = false
  for (;;) {
    const frame = await lp.read(opts)
    framed(c, 'in', frame)
    const resp = decodeSyncResponse(frame.subarray())
    if (first) {
      theirs = resp.have
      first = false
    }
    received += resp.entries.length
    const r = await acceptAll(c, resp.entries)
    applied += r.applied
    if (r.gap) behind = true
    if (!resp.more) break
  }
  await stream.close(opts).catch(() => {})
  // the responder answers one frame (SYNC_RESPONSE_BUDGET_BYTES): when its heads are still ahead, go again
  const now = haveMap(c.feeds.heads())
  for (const h of theirs) if ((now.get(h.author) ?? 0) < h.seq) behind = true
  const bytesSent = push.entries.reduce((n, e) => n + entrySize(e), 0)
  return {
    theirHave: theirs,
    received,
    applied,
    sent: push.entries.length,
    recordsSent: recordsIn(push.entries),
    bytesSent,
    behind,
    reached: new Map(),
  }
}

/**
 * The responder's side. Answers from the larger of the initiator's have-vector and `known` (what we
 * are sending it in an exchange of our own, perhaps still in flight the other way), and records in
 * `known` the initiator's heads and what it sends. Returns the initiator's heads (after its push),
 * what this answer carried (`reached`) and what moved.
 */
export async function respondSync(
  c: SyncComponents,
  stream: Stream,
  known: Map<string, number>,
  opts: { signal?: AbortSignal } = {},
): Promise<SyncOutcome> {
  const lp = lpStream(stream, SYNC_STREAM_OPTIONS)
  const reqFrame = await lp.read(opts)
  framed(c, 'in', reqFrame)
  const req = decodeSyncRequest(reqFrame.subarray())
  const r = await acceptAll(c, req.push)
  const theirHave = haveMap(req.have)
  for (const [author, seq] of known) if ((theirHave.get(author) ?? 0) < seq) theirHave.set(author, seq)
  for (const e of req.have) if ((known.get(e.author) ?? 0) < e.seq) known.set(e.author, e.seq)
  // one frame per exchange: an initiator still behind starts the next exchange at once, so its read
  // buffer never holds two frames and every exchange starts from a fresh have-vector
  const page = entriesBeyond(c.feeds, theirHave, SYNC_RESPONSE_BUDGET_BYTES, SYNC_STREAM_MAX_ENTRIES)
  // the peer will hold what this answer carries
  for (const [author, seq] of page.reached) if ((known.get(author) ?? 0) < seq) known.set(author, seq)
  const sent = page.entries.length
  const recordsSent = recordsIn(page.entries)
  let bytesSent = 0
  for (const e of page.entries) bytesSent += entrySize(e)
  const response = encodeSyncResponse({ have: c.feeds.heads(), entries: page.entries, more: false })
  framed(c, 'out', response)
  await lp.write(response, opts)
  await stream.close(opts).catch(() => {})
  return {
    theirHave: req.have,
    received: req.push.length,
    applied: r.applied,
    sent,
    recordsSent,
    bytesSent,
    behind: r.gap,
    reached: page.reached,
  }
}
