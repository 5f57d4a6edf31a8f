/**
 * A QueryBackend whose lookups go to the whole mesh: the running node fans each query out to its
 * connected peers and merges the answers record by record (POST /v1/mesh/query). Commands that are
 * built on rrset/rdata/summary lookups (the questions) take `--mesh` by running over this backend.
 * Pages do not continue across the mesh (each node's cursor is its own): a lookup answers one page,
 * its cursor null. Which peers answered, failed or timed out is kept in `peers`.
 */
import { RemoteBackend } from '../api/client.ts'
import { encodeRdataQuery, encodeRrsetQuery } from '../api/wire.ts'
import { PdnsError } from '../errors.ts'
import type { MeshAnswer } from '../mesh/mesh.ts'
import type {
  CallOptions,
  DomainsPage,
  DomainsQuery,
  NameSummary,
  NewNamesPage,
  Page,
  QueryBackend,
  RdataQuery,
  ResultRecord,
  RrsetQuery,
  StoreStats,
} from '../query/types.ts'
import { openBackend } from './backend.ts'

export class MeshBackend implements QueryBackend {
  readonly #remote: RemoteBackend
  readonly #timeoutMs: number | undefined
  /** per peer, the last status it answered with */
  readonly peers = new Map<string, MeshAnswer['peers'][number]>()

  constructor(remote: RemoteBackend, options: { timeoutMs?: number } = {}) {
    this.#remote = remote
    this.#timeoutMs = options.timeoutMs
  }

  /** The mesh backend of the node running on `dataDir`; ERR_NODE_UNREACHABLE when none runs. */
  static async open(dataDir: string, opts: CallOptions & { timeoutMs?: number } = {}): Promise<MeshBackend> {
    const b = await openBackend(dataDir, opts)
    if (!(b instanceof RemoteBackend)) {
      await b.close()
      throw new PdnsError(
        'ERR_NODE_UNREACHABLE',
        `--mesh needs a running node on ${dataDir} (its peers are the mesh)`,
      )
    }
    return new MeshBackend(b, opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs })
  }

  async #ask(body: Record<string, unknown>, opts: CallOptions): Promise<MeshAnswer> {
    const a = await this.#remote.meshQuery(
      { ...body, ...(this.#timeoutMs === undefined ? {} : { timeoutMs: this.#timeoutMs }) },
      opts,
    )
    for (const p of a.peers) this.peers.set(p.peer, p)
    return a
  }

  async rrset(q: RrsetQuery, opts: CallOptions = {}): Promise<Page> {
    const a = await this.#ask(
      { lookup: 'rrset', query: encodeRrsetQuery({ ...q, cursor: undefined } as RrsetQuery) },
      opts,
    )
    return { records: a.records, cursor: null }
  }

  async rdata(q: RdataQuery, opts: CallOptions = {}): Promise<Page> {
    const a = await this.#ask(
      { lookup: 'rdata', query: encodeRdataQuery({ ...q, cursor: undefined } as RdataQuery) },
      opts,
    )
    return { records: a.records, cursor: null }
  }

  async summary(name: string, opts: CallOptions & { origin?: string } = {}): Promise<NameSummary | null> {
    const query = { name, ...(opts.origin === undefined ? {} : { origin: opts.origin }) }
    return (await this.#ask({ lookup: 'summary', query }, opts)).summary
  }

  /**
   * Not across the mesh: the peers' query protocol answers rrset, rdata and summary lookups only,
   * and a name is new only if no vantage saw it earlier, which per-peer pages cannot settle.
   */
  async newNames(): Promise<NewNamesPage> {
    throw new PdnsError(
      'ERR_BAD_ARGUMENT',
      "`new` does not run across the mesh (--mesh): it answers from the node's merged store, which holds every vantage the mesh has brought in",
    )
  }

  export(opts: CallOptions = {}): AsyncIterable<ResultRecord> {
    return this.#remote.export(opts)
  }

  /** The node's own registered domains (with full replication, the mesh's): enumeration does not fan out. */
  domains(q: DomainsQuery, opts: CallOptions = {}): Promise<DomainsPage> {
    return this.#remote.domains(q, opts)
  }

  stats(opts: CallOptions = {}): Promise<StoreStats> {
    return this.#remote.stats(opts)
  }

  async close(): Promise<void> {
    await this.#remote.close()
  }
}
