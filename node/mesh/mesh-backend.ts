/**
 * A QueryBackend whose rrset, rdata and summary lookups go to the whole mesh: each is fanned out to
 * the connected peers and the answers merged record by record (`ask`: the node's own Mesh.query
 * inside the node, POST /v1/mesh/query from the CLI). The questions take `--mesh` / `mesh=1` by
 * running over it. Pages do not continue across the mesh (each node's cursor is its own): a lookup
 * answers one page, its cursor null. Enumeration (export, domains, stats) stays on the node's
 * merged store, which with full replication is the mesh's.
 */
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
} from '../query/types.ts'
import type { MeshAnswer, PeerAnswerStatus } from './mesh.ts'
import type { MeshQuery } from './query-wire.ts'

export type MeshAsk = (
  q: MeshQuery,
  opts: { signal?: AbortSignal; timeoutMs?: number },
) => Promise<MeshAnswer>

export class MeshQueryBackend implements QueryBackend {
  readonly #local: QueryBackend
  readonly #ask: MeshAsk
  readonly #timeoutMs: number | undefined
  readonly #ownsLocal: boolean
  /** per peer, the last status it answered with */
  readonly peers = new Map<string, PeerAnswerStatus>()

  /** `ownsLocal`: close() closes `local` too (the CLI's connection; not the node's own store). */
  constructor(local: QueryBackend, ask: MeshAsk, options: { timeoutMs?: number; ownsLocal?: boolean } = {}) {
    this.#local = local
    this.#ask = ask
    this.#timeoutMs = options.timeoutMs
    this.#ownsLocal = options.ownsLocal ?? false
  }

  async #query(q: MeshQuery, opts: CallOptions): Promise<MeshAnswer> {
    const a = await this.#ask(q, {
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      ...(this.#timeoutMs === undefined ? {} : { timeoutMs: this.#timeoutMs }),
    })
    for (const p of a.peers) this.peers.set(p.peer, p)
    return a
  }

  async rrset(q: RrsetQuery, opts: CallOptions = {}): Promise<Page> {
    const { cursor: _cursor, ...query } = q
    return { records: (await this.#query({ lookup: 'rrset', query }, opts)).records, cursor: null }
  }

  async rdata(q: RdataQuery, opts: CallOptions = {}): Promise<Page> {
    const { cursor: _cursor, ...query } = q
    return { records: (await this.#query({ lookup: 'rdata', query }, opts)).records, cursor: null }
  }

  async summary(name: string, opts: CallOptions & { origin?: string } = {}): Promise<NameSummary | null> {
    const q: MeshQuery = {
      lookup: 'summary',
      name,
      ...(opts.origin === undefined ? {} : { origin: opts.origin }),
    }
    return (await this.#query(q, opts)).summary
  }

  /** Names first seen since the asked time across the mesh (each candidate's first sighting settled by a fan-out). */
  async newNames(q: NewNamesQuery, opts: CallOptions = {}): Promise<NewNamesPage> {
    const { cursor: _cursor, ...query } = q
    return { names: (await this.#query({ lookup: 'new', query }, opts)).newNames ?? [], cursor: null }
  }

  export(opts: CallOptions = {}): AsyncIterable<ResultRecord> {
    return this.#local.export(opts)
  }

  domains(q: DomainsQuery, opts: CallOptions = {}): Promise<DomainsPage> {
    return this.#local.domains(q, opts)
  }

  stats(opts: CallOptions = {}): Promise<StoreStats> {
    return this.#local.stats(opts)
  }

  async close(): Promise<void> {
    if (this.#ownsLocal) await this.#local.close()
  }
}
