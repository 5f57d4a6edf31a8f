/**
 * Retention: records whose last sighting is older than their origin's retention are deleted, with
 * every index entry of theirs, in the background. The SEEN index (last_seen first) is read from the
 * bottom up to the cutoff, so a pass reads only what is old enough to go (and, with a shorter
 * retention for peers' data, the band between the two cutoffs: see `#segments`), never the whole
 * store. docs/STORAGE.md "Retention" gives the argument for each choice below.
 *
 * Race safety: a batch re-reads each record's value and deletes it in one synchronous turn, and
 * Store.apply (the only other writer) is synchronous too, so no write can land between the read
 * and the delete; a record whose stored last_seen moved past the cutoff since the SEEN scan is kept.
 * A newer sighting still in the node's aggregation window (not yet written) is asked about through
 * `pending`: such a record is kept, and the flush then moves its last_seen.
 */
import { PdnsError } from '../errors.ts'
import {
  decodeRrsetKey,
  decodeSeenKey,
  dirtyKey,
  domainKey,
  firstKey,
  fwdKey,
  originOfKey,
  type RecordId,
  recordKeys,
  rrsetNameRange,
  rrsetTypeRange,
  seenKey,
  seenRange,
  ttlKey,
} from './keys.ts'
import { EXPIRY_BATCH_SIZE, EXPIRY_INTERVAL_MS } from './limits.ts'
import { registeredDomain } from './registered-domain.ts'
import type { Range, Write } from './rocks.ts'
import type { ApplyOptions, ApplyResult, RecordUpdate } from './store.ts'
import { decodeValue } from './value.ts'

/** How long records are kept after their last sighting, seconds; null: forever. */
export interface Retention {
  /** the node's own origins and imports (store.retention) */
  local: number | null
  /** peers' origins (store.retention_remote) */
  remote: number | null
}

/** The cutoffs of one pass: a record of that class whose last_seen is below it goes; null: none does. */
export interface Cutoffs {
  local: number | null
  remote: number | null
}

/** What expiry needs of the store (Store implements it): reads, and the write path for deletes. */
export interface ExpirySource {
  range(range: Range, options?: { values?: boolean }): Iterable<[Buffer, Buffer]>
  getMany(keys: Uint8Array[]): (Buffer | undefined)[]
  originLabel(id: number): string
  /** with no updates, writes `extra` alone as one atomic batch */
  apply(updates: readonly RecordUpdate[], options?: ApplyOptions): ApplyResult
}

export interface ExpiryComponents {
  store: ExpirySource
  /** whether an origin label is peers' data (store.retention_remote) rather than the node's own or an import */
  isRemote(label: string): boolean
  /** whether a newer sighting of this record waits to be written (the node's window): it is kept */
  pending?: (id: RecordId) => boolean
  /** epoch seconds; default the wall clock (tests pass a fixed one) */
  now?: () => number
}

export interface ExpiryOptions {
  retention: Retention
  /** ms between passes (the first runs at start) */
  intervalMs?: number
  /** SEEN entries examined per batch (one batch per event-loop turn) */
  batchSize?: number
  /** errors of background passes (nobody awaits them) */
  onError?: (err: unknown) => void
}

export interface PassResult {
  startedAt: number
  cutoffs: Cutoffs
  /** SEEN entries read */
  examined: number
  /** records deleted */
  expired: number
}

export interface ExpiryStats {
  retention: Retention
  /** passes completed since start */
  passes: number
  /** records deleted since start, and per origin label */
  expired: number
  byOrigin: Record<string, number>
  /** records below their cutoff kept because a newer sighting was waiting in the window */
  keptPending: number
  lastPass: (PassResult & { finishedAt: number }) | null
  running: boolean
}

/** One pass in progress: the SEEN ranges still to read and where the next batch starts. */
interface Pass {
  result: PassResult
  segments: Range[]
  /** the band's upper end, remembered when the pass completes (see #segments) */
  bandEnd: number | null
}

export class Expiry {
  readonly #store: ExpirySource
  readonly #isRemote: (label: string) => boolean
  readonly #pending: (id: RecordId) => boolean
  readonly #now: () => number
  readonly #intervalMs: number
  readonly #batchSize: number
  readonly #onError: (err: unknown) => void
  #retention: Retention
  /** per origin number: is it peers' data (asked once per origin) */
  readonly #remote = new Map<number, boolean>()
  #pass: Pass | null = null
  /** waiters of the running pass */
  #waiters: { resolve: (r: PassResult) => void; reject: (err: unknown) => void }[] = []
  #immediate: NodeJS.Immediate | null = null
  #timer: NodeJS.Timeout | null = null
  /**
   * the band (remote class only) was read up to this last_seen by a completed pass under the same
   * retention: no peers' record below it can have come since (Feeds does not write what is older
   * than the cutoff), so the next pass starts the band there
   */
  #bandDone: number | null = null
  readonly #stats: Omit<ExpiryStats, 'retention' | 'running'> = {
    passes: 0,
    expired: 0,
    byOrigin: {},
    keptPending: 0,
    lastPass: null,
  }

  constructor(components: ExpiryComponents, options: ExpiryOptions) {
    this.#store = components.store
    this.#isRemote = components.isRemote
    this.#pending = components.pending ?? (() => false)
    this.#now = components.now ?? (() => Math.floor(Date.now() / 1000))
    this.#intervalMs = options.intervalMs ?? EXPIRY_INTERVAL_MS
    this.#batchSize = options.batchSize ?? EXPIRY_BATCH_SIZE
    this.#onError = options.onError ?? ((err) => process.emitWarning(`expiry failed: ${String(err)}`))
    this.#retention = checkRetention(options.retention)
    if (!Number.isSafeInteger(this.#batchSize) || this.#batchSize < 1)
      throw new PdnsError('ERR_BAD_ARGUMENT', 'the expiry batch size must be a positive integer')
  }

  get retention(): Retention {
    return { ...this.#retention }
  }

  /** A new retention (reload): the next pass uses it; a running pass keeps the cutoffs it started with. */
  setRetention(retention: Retention): void {
    this.#retention = checkRetention(retention)
    this.#bandDone = null
  }

  /** The cutoffs at `now` (epoch seconds): what a pass started then deletes. */
  cutoffs(now = this.#now()): Cutoffs {
    const { local, remote } = this.#retention
    return { local: local === null ? null : now - local, remote: remote === null ? null : now - remote }
  }

  /**
   * Whether a record of this origin last seen at `last` is within retention now: Feeds asks before
   * merging a peer's entry, so an old record a peer (re)delivers is not written only to be expired.
   */
  keeps(label: string, last: number): boolean {
    const c = this.cutoffs()
    const cut = this.#isRemote(label) ? c.remote : c.local
    return cut === null || last >= cut
  }

  /** Runs a pass now and every interval, in the background, until stop(). Nothing to do: no timer. */
  start(): void {
    if (this.#timer !== null) return
    this.#timer = setInterval(() => this.#background(), this.#intervalMs)
    this.#timer.unref()
    this.#background()
  }

  /** Stops the timer and the running pass between two batches (each batch is atomic). */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
    if (this.#immediate !== null) clearImmediate(this.#immediate)
    this.#immediate = null
    if (this.#pass !== null) {
      this.#pass = null
      const waiters = this.#waiters
      this.#waiters = []
      for (const w of waiters) w.reject(new PdnsError('ERR_ABORTED', 'expiry stopped'))
    }
  }

  #background(): void {
    if (this.#pass !== null) return
    if (this.#retention.local === null && this.#retention.remote === null) return
    this.run().catch((err) => {
      if (!(err instanceof PdnsError && err.code === 'ERR_ABORTED')) this.#onError(err)
    })
  }

  /**
   * One whole pass, a batch per event-loop turn; joins the running pass if there is one. Resolves
   * with what it did once the pass completes. Aborting `signal` stops this expiry altogether (the
   * timer too: it is for one-shot callers, `pdns-mesh expire`), between two batches.
   */
  run(opts: { signal?: AbortSignal } = {}): Promise<PassResult> {
    const done = new Promise<PassResult>((resolve, reject) => this.#waiters.push({ resolve, reject }))
    if (this.#pass === null) this.begin()
    if (this.#immediate === null) this.#immediate = setImmediate(this.#turn)
    const signal = opts.signal
    if (signal === undefined) return done
    return new Promise<PassResult>((resolve, reject) => {
      const onAbort = () => {
        this.stop()
        reject(new PdnsError('ERR_ABORTED', 'expiry interrupted', { cause: signal.reason }))
      }
      if (signal.aborted) onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      done.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    })
  }

  readonly #turn = (): void => {
    this.#immediate = null
    let finished: boolean
    try {
      finished = this.step()
    } catch (err) {
      this.#pass = null
      const waiters = this.#waiters
      this.#waiters = []
      for (const w of waiters) w.reject(err)
      return
    }
    if (!finished) this.#immediate = setImmediate(this.#turn)
  }

  /** Starts a pass at the clock's now (tests drive it with step()); a running one is left alone. */
  begin(): void {
    if (this.#pass !== null) return
    const startedAt = this.#now()
    const cutoffs = this.cutoffs(startedAt)
    const { segments, bandEnd } = this.#segments(cutoffs)
    this.#pass = { result: { startedAt, cutoffs, examined: 0, expired: 0 }, segments, bandEnd }
  }

  /**
   * The SEEN ranges a pass reads. Below the lower cutoff everything goes (whatever its origin);
   * between the two cutoffs (the band) only the class with the later cutoff does, and the other's
   * records there are read and passed over. That class is peers' data when the configuration is
   * valid (store.retention_remote ≤ store.retention), and peers' records older than the cutoff are
   * never written (Feeds asks keeps()), so the band is read from where the last pass left it.
   */
  #segments(c: Cutoffs): { segments: Range[]; bandEnd: number | null } {
    const segments: Range[] = []
    if (c.local === null && c.remote === null) return { segments, bandEnd: null }
    const both = c.local !== null && c.remote !== null
    const lo = both ? Math.min(c.local!, c.remote!) : 0
    const hi = Math.max(c.local ?? 0, c.remote ?? 0)
    if (both && lo > 0) segments.push(seenBelow(0, lo))
    if (hi <= lo) return { segments, bandEnd: null }
    const bandIsRemote = c.remote !== null && c.remote === hi
    const memo = bandIsRemote && this.#bandDone !== null ? this.#bandDone : 0
    const from = Math.max(lo, Math.min(memo, hi))
    if (from < hi) segments.push(seenBelow(from, hi))
    return { segments, bandEnd: bandIsRemote ? hi : null }
  }

  /**
   * One batch of the running pass, synchronously: up to batchSize SEEN entries read, the records
   * among them that are older than their cutoff re-read and deleted in one atomic batch. Returns
   * true when the pass is complete (there was none: true).
   */
  step(): boolean {
    const pass = this.#pass
    if (pass === null) return true
    const seen: Buffer[] = []
    while (seen.length < this.#batchSize && pass.segments.length > 0) {
      const seg = pass.segments[0]!
      let last: Buffer | null = null
      for (const [key] of this.#store.range(seg, { values: false })) {
        seen.push(key)
        last = key
        if (seen.length >= this.#batchSize) break
      }
      if (seen.length >= this.#batchSize && last !== null) {
        pass.segments[0] = { gt: last, lt: seg.lt! }
        break
      }
      pass.segments.shift()
    }
    pass.result.examined += seen.length
    pass.result.expired += this.#expire(seen, pass.result.cutoffs)
    if (pass.segments.length > 0) return false
    this.#finish(pass)
    return true
  }

  /**
   * Deletes the records behind these SEEN keys that are (still) older than their cutoff, and the
   * FWD and DOMAIN entries no remaining record needs, in one batch. Returns how many went.
   */
  #expire(seen: readonly Buffer[], c: Cutoffs): number {
    const candidates: { rrset: Buffer; label: string }[] = []
    for (const key of seen) {
      const s = decodeSeenKey(key)
      if (s === null) continue
      const origin = originOfKey(s.rrset)
      const cut = this.#isRemoteOrigin(origin) ? c.remote : c.local
      if (cut !== null && s.lastSeen < cut)
        candidates.push({ rrset: s.rrset, label: this.#store.originLabel(origin) })
    }
    if (candidates.length === 0) return 0
    // re-read now, in the turn that writes: what the SEEN scan saw may have been refreshed since
    const values = this.#store.getMany(candidates.map((x) => x.rrset))
    const writes: Write[] = []
    const gone = new Set<string>()
    const names = new Map<string, { rrname: string; rrtype: number }>()
    const expired: string[] = []
    for (let i = 0; i < candidates.length; i++) {
      const { rrset, label } = candidates[i]!
      const raw = values[i]
      if (raw === undefined) continue
      const v = decodeValue(raw)
      if (v === null) throw new PdnsError('ERR_DB_CORRUPT', 'a stored record value has an unknown format')
      const id = decodeRrsetKey(rrset)
      if (id === null) continue
      const cut = this.#isRemoteOrigin(id.origin) ? c.remote : c.local
      if (cut === null || v.last >= cut) continue
      if (this.#pending(id)) {
        this.#stats.keptPending++
        continue
      }
      const keys = recordKeys(id)
      writes.push({ del: rrset })
      if (keys.rdata !== null) writes.push({ del: keys.rdata })
      writes.push(
        { del: seenKey(v.last, rrset) },
        { del: firstKey(v.first, rrset) },
        { del: ttlKey(rrset) },
        { del: dirtyKey(rrset) },
      )
      gone.add(rrset.toString('latin1'))
      names.set(`${id.rrname}\u0000${id.rrtype}`, { rrname: id.rrname, rrtype: id.rrtype })
      expired.push(label)
    }
    if (expired.length === 0) return 0
    // FWD and DOMAIN are per name (and type): they go only with the last record that needs them
    const domains = new Set<string>()
    for (const { rrname, rrtype } of names.values()) {
      if (!this.#anyLeft(rrsetTypeRange(rrname, rrtype), gone)) writes.push({ del: fwdKey(rrname, rrtype) })
      const d = registeredDomain(rrname)
      if (d !== null) domains.add(d)
    }
    for (const d of domains) {
      // a name at or below a registered domain keeps it (its own registered domain may be a longer
      // one under a private suffix: kept conservatively, see docs/STORAGE.md)
      if (!this.#anyLeft(rrsetNameRange(d, true), gone)) writes.push({ del: domainKey(d) })
    }
    this.#store.apply([], { extra: writes })
    for (const label of expired) this.#stats.byOrigin[label] = (this.#stats.byOrigin[label] ?? 0) + 1
    this.#stats.expired += expired.length
    return expired.length
  }

  /** Whether an RRSET range holds a record this batch does not delete (reads at most one more key than it deletes). */
  #anyLeft(range: Range, gone: ReadonlySet<string>): boolean {
    for (const [key] of this.#store.range(range, { values: false })) {
      if (!gone.has(key.toString('latin1'))) return true
    }
    return false
  }

  #isRemoteOrigin(origin: number): boolean {
    let remote = this.#remote.get(origin)
    if (remote === undefined) {
      remote = this.#isRemote(this.#store.originLabel(origin))
      this.#remote.set(origin, remote)
    }
    return remote
  }

  #finish(pass: Pass): void {
    this.#pass = null
    if (pass.bandEnd !== null) this.#bandDone = pass.bandEnd
    this.#stats.passes++
    this.#stats.lastPass = { ...pass.result, finishedAt: this.#now() }
    const waiters = this.#waiters
    this.#waiters = []
    for (const w of waiters) w.resolve(pass.result)
  }

  stats(): ExpiryStats {
    return {
      retention: this.retention,
      ...this.#stats,
      byOrigin: { ...this.#stats.byOrigin },
      running: this.#pass !== null,
    }
  }
}

/** SEEN keys with last_seen in [from, before). */
function seenBelow(from: number, before: number): Range {
  return seenRange(from, before - 1)
}

function checkRetention(r: Retention): Retention {
  for (const v of [r.local, r.remote]) {
    if (v !== null && !(Number.isSafeInteger(v) && v > 0))
      throw new PdnsError('ERR_BAD_ARGUMENT', `a retention must be a positive number of seconds (got ${v})`)
  }
  return { local: r.local, remote: r.remote }
}
