/**
 * The QueryBackend of a CLI that opens the database itself (no node running). It holds the RocksDB
 * lock while open, so a running node or an import makes it fail with ERR_DB_LOCKED.
 */
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { PdnsError } from '../errors.ts'
import { readPeerId } from '../identity/peer-id.ts'
import { Feeds } from '../mesh/feeds.ts'
import {
  DOMAIN_RANGE,
  decodeDomainKey,
  decodeFwdKey,
  decodeRrsetKey,
  domainKey,
  FWD_RANGE,
  isKeyOfRecord,
  originOfKey,
  RDATA_RANGE,
  RRSET_RANGE,
  recordPrefix,
  SCHEMA_VERSION,
  successor,
} from '../store/keys.ts'
import { isMeshLabel } from '../store/labels.ts'
import { canonicalName } from '../store/names.ts'
import { registeredDomain } from '../store/registered-domain.ts'
import type { Range } from '../store/rocks.ts'
import { Store } from '../store/store.ts'
import type { TtlRange } from '../store/ttl.ts'
import { QueryEngine } from './engine.ts'
import { MAX_DOMAINS_PAGE } from './limits.ts'
import { recordTtls } from './ttl.ts'
import type {
  CallOptions,
  DomainsPage,
  DomainsQuery,
  NameSummary,
  NewNamesPage,
  NewNamesQuery,
  Page,
  QueryBackend,
  RdataQuery,
  ResultRecord,
  RrsetQuery,
  StoreStats,
} from './types.ts'

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new PdnsError('ERR_ABORTED', 'cancelled', { cause: signal.reason })
}

export class LocalBackend implements QueryBackend {
  readonly #store: Store
  readonly #engine: QueryEngine
  readonly #localLabel: string | null
  /** close() closes the store only when this backend opened it */
  readonly #ownsStore: boolean

  private constructor(store: Store, localLabel: string | null, ownsStore: boolean) {
    this.#store = store
    this.#engine = new QueryEngine(store)
    this.#localLabel = localLabel
    this.#ownsStore = ownsStore
  }

  /** A backend over a store the caller keeps open (the node's): close() leaves the store open. */
  static over(store: Store, localLabel: string | null): LocalBackend {
    return new LocalBackend(store, localLabel, false)
  }

  /** Opens an existing database; ERR_DB_MISSING when `dataDir` holds none. */
  static async open(dataDir: string, opts: CallOptions = {}): Promise<LocalBackend> {
    checkSignal(opts.signal)
    try {
      await access(join(dataDir, 'db', 'CURRENT'))
    } catch (cause) {
      throw new PdnsError(
        'ERR_DB_MISSING',
        `no database in ${dataDir} (import captures first: pdns-mesh import --data ${dataDir} FILE)`,
        { cause },
      )
    }
    const store = await Store.open(dataDir, { create: false })
    const self = await readPeerId(dataDir, { create: false }).catch(() => null)
    return new LocalBackend(store, self, true)
  }

  /** For callers in this process that need the store itself (bench, check). */
  get store(): Store {
    return this.#store
  }

  async rrset(q: RrsetQuery, opts: CallOptions = {}): Promise<Page> {
    checkSignal(opts.signal)
    return this.#engine.rrset(q, { signal: opts.signal })
  }

  async rdata(q: RdataQuery, opts: CallOptions = {}): Promise<Page> {
    checkSignal(opts.signal)
    return this.#engine.rdata(q, { signal: opts.signal })
  }

  async summary(name: string, opts: CallOptions & { origin?: string } = {}): Promise<NameSummary | null> {
    checkSignal(opts.signal)
    return this.#engine.summary(name, { signal: opts.signal, origin: opts.origin })
  }

  async newNames(q: NewNamesQuery, opts: CallOptions = {}): Promise<NewNamesPage> {
    checkSignal(opts.signal)
    return this.#engine.newNames(q, { signal: opts.signal })
  }

  /**
   * Per record, the min/max TTL of its vantages' own observations, or null when not known (see
   * ttl.ts): for analyses in this process (flux features). Not on QueryBackend yet: the control API
   * and the mesh do not carry TTLs.
   */
  ttl(records: readonly ResultRecord[]): (TtlRange | null)[] {
    return recordTtls(this.#store, records)
  }

  async *export(opts: CallOptions = {}): AsyncIterable<ResultRecord> {
    let n = 0
    for (const r of this.#engine.export({ signal: opts.signal })) {
      yield r
      // let the event loop breathe (stdout drains, signals arrive) on long exports
      if (++n % 10_000 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
  }

  async stats(opts: CallOptions = {}): Promise<StoreStats> {
    // a node answers stats while it captures: long counts yield to the event loop so capture
    // buffers and the flush timer are served in between
    const breathe = async () => {
      checkSignal(opts.signal)
      await new Promise((resolve) => setImmediate(resolve))
    }
    const count = async (range: Range): Promise<number> => {
      let n = 0
      for (const _ of this.#store.range(range, { values: false })) {
        if (++n % 65536 === 0) await breathe()
      }
      return n
    }
    let records = 0
    let negatives = 0
    let entries = 0
    let prev: Buffer | null = null
    const perOrigin = new Map<number, number>()
    for (const [key] of this.#store.range(RRSET_RANGE, { values: false })) {
      if (++entries % 65536 === 0) await breathe()
      const o = originOfKey(key)
      perOrigin.set(o, (perOrigin.get(o) ?? 0) + 1)
      // a record's vantages are neighbours (the origin ends the key): count the record once
      if (prev !== null && isKeyOfRecord(key, prev)) continue
      prev = recordPrefix(key)
      const id = decodeRrsetKey(key)
      if (id !== null && id.kind !== 'rr') negatives++
      else records++
    }
    const rdataIndex = await count(RDATA_RANGE)
    const names = await count(FWD_RANGE)
    const sst = Number(this.#store.property('rocksdb.total-sst-files-size') ?? 0)
    const mem = Number(this.#store.property('rocksdb.cur-size-all-mem-tables') ?? 0)
    const diskBytes = sst + mem
    const isLocal = (label: string) =>
      // the node's own label, or one of its sensors' (`<peer id>/<dnstap identity>`)
      this.#localLabel !== null && (label === this.#localLabel || label.startsWith(`${this.#localLabel}/`))
    const origins = [...this.#store.origins.entries()].map(([id, label]) => ({
      id,
      label,
      local: isLocal(label),
      entries: perOrigin.get(id) ?? 0,
    }))
    const feeds = [...new Feeds({ store: this.#store }).authors.values()].map((h) => ({
      author: h.author,
      entries: h.entries,
      bytes: h.bytes,
    }))
    const perRecord = entries > 0 ? diskBytes / entries : 0
    const remoteBytes = Math.round(
      origins.filter((o) => !o.local && isMeshLabel(o.label)).reduce((n, o) => n + o.entries * perRecord, 0) +
        feeds.filter((f) => !isLocal(f.author)).reduce((n, f) => n + f.bytes, 0),
    )
    return {
      dataDir: this.#store.dir,
      schema: SCHEMA_VERSION,
      origins,
      feeds,
      remoteBytes,
      records,
      negatives,
      entries,
      rdataIndex,
      names,
      diskBytes,
      bytesPerRecord: entries > 0 ? Math.round(diskBytes / entries) : null,
    }
  }

  async domains(q: DomainsQuery, opts: CallOptions = {}): Promise<DomainsPage> {
    checkSignal(opts.signal)
    const limit = q.limit ?? MAX_DOMAINS_PAGE
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DOMAINS_PAGE) {
      throw new PdnsError('ERR_BAD_QUERY', `invalid limit: ${q.limit} (1 to ${MAX_DOMAINS_PAGE})`)
    }
    if (!this.#store.hasDomainIndex) {
      // a store opened read-only before its index was filled: derive the domains from FWD, one page
      if (q.after !== undefined) return { domains: [], cursor: null }
      const set = new Set<string>()
      for (const [key] of this.#store.range(FWD_RANGE, { values: false })) {
        const f = decodeFwdKey(key)
        const d = f === null ? null : registeredDomain(f.rrname)
        if (d !== null) set.add(d)
      }
      return { domains: [...set], cursor: null }
    }
    let range: Range = DOMAIN_RANGE
    if (q.after !== undefined) {
      const name = canonicalName(q.after)
      if (name === null) throw new PdnsError('ERR_BAD_QUERY', `invalid cursor: ${JSON.stringify(q.after)}`)
      range = { gte: Buffer.from(successor(domainKey(name))), lt: DOMAIN_RANGE.lt }
    }
    const domains: string[] = []
    for (const rows of this.#store.keyTexts(range)) {
      checkSignal(opts.signal)
      for (let i = 0; i < rows.length; i += 2) {
        const key = rows[i]!
        // `\x16 label \0 … \0 \0`; a label with an escaped octet (\x01) goes the general way
        const d = key.includes('\x01')
          ? decodeDomainKey(Buffer.from(key, 'utf8'))
          : key.slice(1, -2).replaceAll('\0', '.')
        if (d === null || d === '')
          throw new PdnsError('ERR_DB_CORRUPT', `undecodable DOMAIN key ${JSON.stringify(key)}`)
        if (domains.length === limit) return { domains, cursor: domains.at(-1)! }
        domains.push(d)
      }
    }
    return { domains, cursor: null }
  }

  async close(): Promise<void> {
    if (this.#ownsStore) await this.#store.close()
  }
}
