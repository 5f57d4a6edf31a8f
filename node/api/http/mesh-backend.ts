/**
 * The questions' `mesh=1` inside the node: a QueryBackend whose rrset, rdata and summary lookups go
 * through the node's own Mesh.query (fanned out to the connected peers, merged record by record), as
 * the CLI's MeshBackend does over the control socket. Pages do not continue across the mesh (each
 * node's cursor is its own): a lookup answers one page, its cursor null. Enumeration (export,
 * domains, stats) stays on the node's merged store, which with full replication is the mesh's.
 */
import { PdnsError } from '../../errors.ts'
import type { PeerAnswerStatus } from '../../mesh/mesh.ts'
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
} from '../../query/types.ts'
import type { MeshControl } from '../types.ts'
import type { RouteContext } from './context.ts'
import { MAX_MESH_TIMEOUT_S } from './limits.ts'
import { count } from './query-params.ts'

/** The node's mesh, or ERR_MESH_OFF (409) when mesh.listen is empty. */
export function meshOf(ctx: RouteContext): MeshControl {
  if (ctx.c.mesh === null)
    throw new PdnsError('ERR_MESH_OFF', 'the mesh is off on this node (mesh.listen is empty)')
  return ctx.c.mesh
}

/** `mesh_timeout=S` as the mesh's per-peer timeout (absent or 0: the mesh's default). */
export function meshTimeoutOf(q: URLSearchParams): { timeoutMs?: number } {
  const s = count(q, 'mesh_timeout', MAX_MESH_TIMEOUT_S, 0)
  return s === 0 ? {} : { timeoutMs: s * 1000 }
}

export class NodeMeshBackend implements QueryBackend {
  readonly #local: QueryBackend
  readonly #mesh: MeshControl
  readonly #timeoutMs: number | undefined
  /** per peer, the last status it answered with (the answer's x-pdns-mesh-peers header) */
  readonly peers = new Map<string, PeerAnswerStatus>()

  constructor(local: QueryBackend, mesh: MeshControl, timeoutMs?: number) {
    this.#local = local
    this.#mesh = mesh
    this.#timeoutMs = timeoutMs
  }

  #opts(opts: CallOptions): { signal?: AbortSignal; timeoutMs?: number } {
    return {
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      ...(this.#timeoutMs === undefined ? {} : { timeoutMs: this.#timeoutMs }),
    }
  }

  #keep(peers: readonly PeerAnswerStatus[]): void {
    for (const p of peers) this.peers.set(p.peer, p)
  }

  async rrset(q: RrsetQuery, opts: CallOptions = {}): Promise<Page> {
    const { cursor: _cursor, ...query } = q
    const a = await this.#mesh.query({ lookup: 'rrset', query }, this.#opts(opts))
    this.#keep(a.peers)
    return { records: a.records, cursor: null }
  }

  async rdata(q: RdataQuery, opts: CallOptions = {}): Promise<Page> {
    const { cursor: _cursor, ...query } = q
    const a = await this.#mesh.query({ lookup: 'rdata', query }, this.#opts(opts))
    this.#keep(a.peers)
    return { records: a.records, cursor: null }
  }

  async summary(name: string, opts: CallOptions & { origin?: string } = {}): Promise<NameSummary | null> {
    const a = await this.#mesh.query(
      { lookup: 'summary', name, ...(opts.origin === undefined ? {} : { origin: opts.origin }) },
      this.#opts(opts),
    )
    this.#keep(a.peers)
    return a.summary
  }

  /** Refused as the CLI refuses it: a name is new only if no vantage saw it earlier, which per-peer pages cannot settle. */
  async newNames(): Promise<NewNamesPage> {
    throw new PdnsError(
      'ERR_BAD_ARGUMENT',
      "new does not run across the mesh (mesh=1): it answers from the node's merged store, which holds every vantage the mesh has brought in",
    )
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

  /** The node's store is the node's to close, not this request's. */
  async close(): Promise<void> {}
}
