/**
 * A query across the mesh: this node's store and every connected peer asked at once over
 * /pdns-mesh/query/1.0.0, the answers merged record by record (`merge.ts`). A `new` lookup is
 * settled afterwards: a name new on one node may be old on another.
 */
import type { Stream } from '@libp2p/interface'
import { isWireError, type WireError } from '../../protocol/index.ts'
import { isPdnsError } from '../errors.ts'
import { MAX_QUERY_LIMIT } from '../query/limits.ts'
import type { NameSummary, NewName, NewNamesQuery, QueryBackend, ResultRecord } from '../query/types.ts'
import { NEW_SETTLE_CONCURRENCY, QUERY_TIMEOUT_MS } from './limits.ts'
import { mergeRecords, mergeSummaries, newNameOf } from './merge.ts'
import { askPeer } from './query-protocol.ts'
import { type MeshQuery, toWireRequest } from './query-wire.ts'

export interface PeerAnswerStatus {
  peer: string
  status: 'answered' | 'failed' | 'timeout'
  records: number
  error?: string
}

export interface MeshAnswer {
  records: ResultRecord[]
  summary: NameSummary | null
  /** new lookups: the names first seen since the asked time across the mesh, newest first */
  newNames?: NewName[]
  /** whether the merged answer was cut at the query's limit */
  limited: boolean
  peers: PeerAnswerStatus[]
}

export interface FanOutComponents {
  /** this node's own store */
  backend: QueryBackend
  /** the peers to ask: connected and not banned */
  targets(): string[]
  /** a query stream to a peer */
  dial(peerId: string, signal: AbortSignal): Promise<Stream>
  /** a peer broke the protocol: the mesh scores and bans */
  onViolation(peerId: string, err: WireError): void
}

export class QueryFanOut {
  readonly #c: FanOutComponents

  constructor(components: FanOutComponents) {
    this.#c = components
  }

  /**
   * The query on this node's store and on every connected peer, merged record by record. Each
   * peer gets `timeoutMs`; one that fails or times out is reported, never waited for longer.
   */
  async query(q: MeshQuery, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<MeshAnswer> {
    const timeoutMs = opts.timeoutMs ?? QUERY_TIMEOUT_MS
    const limit = q.lookup === 'summary' ? MAX_QUERY_LIMIT : (q.query.limit ?? MAX_QUERY_LIMIT)
    type PeerResult = {
      status: PeerAnswerStatus
      records: ResultRecord[]
      summary: NameSummary | null
      names: string[]
    }
    const local = this.#local(q, opts)
    const request = toWireRequest(q)
    const asks = this.#c.targets().map(async (peer): Promise<PeerResult> => {
      const timeout = AbortSignal.timeout(timeoutMs)
      const signal = AbortSignal.any([timeout, ...(opts.signal ? [opts.signal] : [])])
      try {
        const stream = await this.#c.dial(peer, signal)
        const a = await askPeer(stream, request, { signal, maxRecords: limit })
        return {
          status: { peer: peer, status: 'answered', records: a.records.length + a.names.length },
          records: a.records,
          summary: a.summary,
          names: a.names,
        }
      } catch (err) {
        if (isWireError(err)) this.#c.onViolation(peer, err)
        const status = timeout.aborted ? 'timeout' : 'failed'
        const error = isPdnsError(err) || isWireError(err) ? err.message : (err as Error).message
        return {
          status: { peer: peer, status, records: 0, error },
          records: [],
          summary: null,
          names: [],
        }
      }
    })
    const [mine, ...theirs] = await Promise.all([local, ...asks])
    if (q.lookup === 'new') {
      const candidates = new Set([...mine!.names, ...theirs.flatMap((t) => t.names)])
      const settled = await this.#settleNewNames([...candidates], q.query, opts)
      return {
        records: [],
        summary: null,
        newNames: settled.slice(0, limit),
        limited: settled.length > limit || mine!.limited,
        peers: theirs.map((t) => t.status),
      }
    }
    if (q.lookup === 'summary') {
      return {
        records: [],
        summary: mergeSummaries([mine!.summary, ...theirs.map((t) => t.summary)]),
        limited: false,
        peers: theirs.map((t) => t.status),
      }
    }
    const merged = mergeRecords([mine!.records, ...theirs.map((t) => t.records)])
    return {
      records: merged.slice(0, limit),
      summary: null,
      limited: merged.length > limit || mine!.limited,
      peers: theirs.map((t) => t.status),
    }
  }

  /**
   * A name new on one node may be old on another (seen there before `since`): each candidate's first
   * sighting is settled by an rrset lookup across the mesh (first = the earliest of every vantage),
   * and only names first seen at or after `since` stay, newest first.
   */
  async #settleNewNames(
    names: string[],
    q: NewNamesQuery,
    opts: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<NewName[]> {
    const out: NewName[] = []
    let next = 0
    const worker = async () => {
      while (next < names.length) {
        const name = names[next++]!
        const a = await this.query(
          {
            lookup: 'rrset',
            query: {
              name: { kind: 'exact', name },
              kinds: ['rr'],
              limit: MAX_QUERY_LIMIT,
              ...(q.rrtype === undefined ? {} : { rrtype: q.rrtype }),
              ...(q.origin === undefined ? {} : { origin: q.origin }),
            },
          },
          opts,
        )
        const n = newNameOf(name, a.records)
        if (n !== null && n.first >= q.since) out.push(n)
      }
    }
    await Promise.all(Array.from({ length: Math.min(NEW_SETTLE_CONCURRENCY, names.length) }, worker))
    return out.sort((x, y) => y.first - x.first || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
  }

  async #local(q: MeshQuery, opts: { signal?: AbortSignal }) {
    const b = this.#c.backend
    if (q.lookup === 'new') {
      const page = await b.newNames(q.query, opts)
      return {
        records: [] as ResultRecord[],
        summary: null,
        names: page.names.map((n) => n.name),
        limited: page.cursor !== null,
      }
    }
    if (q.lookup === 'summary') {
      const summary = await b.summary(q.name, {
        ...opts,
        ...(q.origin === undefined ? {} : { origin: q.origin }),
      })
      return { records: [] as ResultRecord[], summary, names: [] as string[], limited: false }
    }
    const page = q.lookup === 'rrset' ? await b.rrset(q.query, opts) : await b.rdata(q.query, opts)
    return { records: page.records, summary: null, names: [] as string[], limited: page.cursor !== null }
  }
}
