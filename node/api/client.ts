/**
 * The CLI's side of the control channel: a QueryBackend that asks a running node, with the
 * semantics of LocalBackend — the same results, the same PdnsError codes (ERR_BAD_QUERY stays
 * ERR_BAD_QUERY), cancellation through AbortSignal (ERR_ABORTED) — plus the node's status and ping.
 * Anything that goes wrong on the way is ERR_NODE_UNREACHABLE.
 */
import type { IncomingMessage } from 'node:http'
import { isPdnsError, PdnsError } from '../errors.ts'
import { MAX_QUERY_LIMIT } from '../query/limits.ts'
import type {
  CallOptions,
  DomainsPage,
  DomainsQuery,
  NameSummary,
  NewName,
  NewNamesPage,
  NewNamesQuery,
  Page,
  QueryBackend,
  RdataQuery,
  ResultRecord,
  RrsetQuery,
  StoreStats,
} from '../query/types.ts'
import { DEFAULT_LIMIT } from '../query/types.ts'
import { answerError, type Exchange, exchange, exchangeError, readJson } from './http-client.ts'
import { CLIENT_IDLE_TIMEOUT_MS, MAX_CONTROL_PAGE_RECORDS, PING_TIMEOUT_MS } from './limits.ts'
import { readRecords } from './record-reader.ts'
import { API_VERSION, type NodeStatus, type PingAnswer } from './types.ts'
import { encodeNewNamesQuery, encodeRdataQuery, encodeRrsetQuery } from './wire.ts'

export interface RemoteOptions {
  /** longest the node may stay silent during a call, ms (default CLIENT_IDLE_TIMEOUT_MS) */
  idleTimeoutMs?: number
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

import type { MeshAnswer } from '../mesh/mesh.ts'

export class RemoteBackend implements QueryBackend {
  readonly #socketPath: string
  readonly #idleTimeoutMs: number
  /** exchanges in progress, ended by close() */
  readonly #open = new Set<Exchange>()

  constructor(socketPath: string, options: RemoteOptions = {}) {
    this.#socketPath = socketPath
    this.#idleTimeoutMs = options.idleTimeoutMs ?? CLIENT_IDLE_TIMEOUT_MS
  }

  get socketPath(): string {
    return this.#socketPath
  }

  /**
   * Checks that a pdns-mesh node of this control API answers; ERR_NODE_UNREACHABLE when the socket
   * answers otherwise, or not within `timeoutMs` (default PING_TIMEOUT_MS).
   */
  async ping(opts: CallOptions & { timeoutMs?: number } = {}): Promise<PingAnswer> {
    let v: unknown
    try {
      v = await this.#json('GET', '/v1/ping', undefined, opts, opts.timeoutMs ?? PING_TIMEOUT_MS)
    } catch (err) {
      // whatever the socket said (an error status, a code of its own, no HTTP), it did not answer a ping
      if (isPdnsError(err) && err.code === 'ERR_ABORTED') throw err
      // accepted but silent: a node whose event loop is busy (a big flush, a long query) looks the
      // same as a stuck one; say so rather than calling it something else
      if (isPdnsError(err) && err.code === 'ERR_NODE_UNREACHABLE' && /no answer for/.test(err.message))
        throw err
      const why = (err as Error).message.replace(`node at ${this.#socketPath}: `, '')
      throw new PdnsError(
        'ERR_NODE_UNREACHABLE',
        `node at ${this.#socketPath}: does not answer as a pdns-mesh node should (${why})`,
        { cause: err },
      )
    }
    if (!isObject(v) || v.service !== 'pdns-mesh' || typeof v.api !== 'number') {
      throw this.#wrong('does not answer as a pdns-mesh node should (its ping answer is not one)')
    }
    if (v.api !== API_VERSION) {
      throw this.#wrong(`it speaks control API v${v.api}, this pdns-mesh v${API_VERSION} (versions differ)`)
    }
    if (typeof v.version !== 'string' || typeof v.pid !== 'number' || typeof v.peerId !== 'string') {
      throw this.#wrong('its ping answer is incomplete')
    }
    return v as unknown as PingAnswer
  }

  async status(opts: CallOptions = {}): Promise<NodeStatus> {
    const v = await this.#json('GET', '/v1/status', undefined, opts)
    if (!isObject(v) || typeof v.version !== 'string' || !isObject(v.components)) {
      throw this.#wrong('its status is not a node status')
    }
    return v as unknown as NodeStatus
  }

  /** The merged store's digest, computed by the node (GET /v1/digest). */
  async digest(opts: CallOptions = {}): Promise<unknown> {
    const v = await this.#json('GET', '/v1/digest', undefined, opts)
    if (!isObject(v) || typeof v.digest !== 'string') throw this.#wrong('its digest is not one')
    return v
  }

  /** Asks the node to re-read its configuration (POST /v1/reload). */
  async reload(opts: CallOptions = {}): Promise<{ applied: string[]; mesh: unknown }> {
    const v = await this.#json('POST', '/v1/reload', {}, opts)
    if (!isObject(v) || !Array.isArray(v.applied)) throw this.#wrong('its reload answer is not one')
    return v as { applied: string[]; mesh: unknown }
  }

  /** The mesh's state: listen addresses, allowlisted and connected peers (GET /v1/peers). */
  async peers(opts: CallOptions = {}): Promise<unknown> {
    const v = await this.#json('GET', '/v1/peers', undefined, opts)
    if (!isObject(v) || !Array.isArray(v.peers)) throw this.#wrong('its peers answer is not one')
    return v
  }

  /** A query fanned out by the node to its peers and merged (POST /v1/mesh/query). */
  async meshQuery(body: Record<string, unknown>, opts: CallOptions = {}): Promise<MeshAnswer> {
    const v = await this.#json('POST', '/v1/mesh/query', body, opts)
    if (!isObject(v) || !Array.isArray(v.records) || !Array.isArray(v.peers)) {
      throw this.#wrong('its mesh answer is not one')
    }
    return v as unknown as MeshAnswer
  }

  async stats(opts: CallOptions = {}): Promise<StoreStats> {
    const v = await this.#json('GET', '/v1/stats', undefined, opts)
    if (!isObject(v) || typeof v.records !== 'number' || !Array.isArray(v.origins)) {
      throw this.#wrong('its stats are not store stats')
    }
    return v as unknown as StoreStats
  }

  async summary(name: string, opts: CallOptions & { origin?: string } = {}): Promise<NameSummary | null> {
    const body = { name, ...(opts.origin === undefined ? {} : { origin: opts.origin }) }
    const v = await this.#json('POST', '/v1/summary', body, opts)
    if (!isObject(v) || !('summary' in v) || !(v.summary === null || isObject(v.summary))) {
      throw this.#wrong('its summary answer is not one')
    }
    return v.summary as NameSummary | null
  }

  /** Names first seen since q.since (POST /v1/new), asked for in parts as records are. */
  newNames(q: NewNamesQuery, opts: CallOptions = {}): Promise<NewNamesPage> {
    return this.#parts<NewNamesQuery, NewName>(q, async (part) => {
      const v = await this.#json('POST', '/v1/new', encodeNewNamesQuery(part), opts)
      if (!isObject(v) || !Array.isArray(v.names) || !(v.cursor === null || typeof v.cursor === 'string')) {
        throw this.#wrong('its new-names answer is not one')
      }
      const p = v as unknown as NewNamesPage
      return { items: p.names, cursor: p.cursor }
    }).then(({ items, cursor }) => ({ names: items, cursor }))
  }

  rrset(q: RrsetQuery, opts: CallOptions = {}): Promise<Page> {
    return this.#pages(q, (part) => this.#page('/v1/rrset', encodeRrsetQuery(part), opts))
  }

  rdata(q: RdataQuery, opts: CallOptions = {}): Promise<Page> {
    return this.#pages(q, (part) => this.#page('/v1/rdata', encodeRdataQuery(part), opts))
  }

  async #pages<Q extends RrsetQuery | RdataQuery>(q: Q, fetch: (part: Q) => Promise<Page>): Promise<Page> {
    const { items, cursor } = await this.#parts<Q, ResultRecord>(q, async (part) => {
      const p = await fetch(part)
      return { items: p.records, cursor: p.cursor }
    })
    return { records: items, cursor }
  }

  /**
   * One page of `q.limit` items, asked for in parts of at most MAX_CONTROL_PAGE_RECORDS (the node
   * clamps larger pages so that no query holds its event loop for long): each part continues from
   * the previous part's cursor, and cursors ignore the limit, so the result and its final cursor
   * are those of a single page.
   */
  async #parts<Q extends { limit?: number; cursor?: string }, T>(
    q: Q,
    fetch: (part: Q) => Promise<{ items: T[]; cursor: string | null }>,
  ): Promise<{ items: T[]; cursor: string | null }> {
    const want = q.limit ?? DEFAULT_LIMIT
    // a limit the engine refuses goes as it is: the node answers with the engine's own error
    if (!Number.isInteger(want) || want < 1 || want > MAX_QUERY_LIMIT) return await fetch(q)
    const items: T[] = []
    let cursor = q.cursor
    for (;;) {
      const limit = Math.min(want - items.length, MAX_CONTROL_PAGE_RECORDS)
      const part = await fetch({ ...q, limit, ...(cursor === undefined ? {} : { cursor }) })
      for (const r of part.items) items.push(r)
      if (part.cursor === null || items.length >= want) return { items, cursor: part.cursor }
      cursor = part.cursor
    }
  }

  async domains(q: DomainsQuery, opts: CallOptions = {}): Promise<DomainsPage> {
    const v = await this.#json('POST', '/v1/domains', q, opts)
    if (
      !isObject(v) ||
      !Array.isArray(v.domains) ||
      !v.domains.every((d) => typeof d === 'string') ||
      !(v.cursor === null || typeof v.cursor === 'string')
    ) {
      throw this.#wrong('its domains answer is not one')
    }
    return v as unknown as DomainsPage
  }

  async *export(opts: CallOptions = {}): AsyncIterable<ResultRecord> {
    const ex = await this.#call('GET', '/v1/export', undefined, opts)
    try {
      yield* readRecords(ex.res, this.#socketPath)
    } catch (err) {
      throw exchangeError(err, this.#socketPath, opts.signal)
    } finally {
      // also when the caller stops early: closing the connection ends the node's export
      this.#release(ex)
    }
  }

  /** Ends calls in progress; the backend holds nothing else (one connection per call). */
  async close(): Promise<void> {
    for (const ex of this.#open) this.#release(ex)
  }

  async #page(path: string, body: unknown, opts: CallOptions): Promise<Page> {
    const ex = await this.#call('POST', path, body, opts)
    try {
      const records: ResultRecord[] = []
      const it = readRecords(ex.res, this.#socketPath)
      for (let r = await it.next(); ; r = await it.next()) {
        if (r.done === true) {
          const cursor = r.value.cursor
          if (cursor !== null && typeof cursor !== 'string') throw this.#wrong('its page has a bad cursor')
          return { records, cursor }
        }
        records.push(r.value)
      }
    } catch (err) {
      throw exchangeError(err, this.#socketPath, opts.signal)
    } finally {
      this.#release(ex)
    }
  }

  async #json(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    opts: CallOptions,
    idleTimeoutMs = this.#idleTimeoutMs,
  ): Promise<unknown> {
    const ex = await this.#call(method, path, body, opts, idleTimeoutMs)
    try {
      return await readJson(ex.res, this.#socketPath)
    } catch (err) {
      throw exchangeError(err, this.#socketPath, opts.signal)
    } finally {
      this.#release(ex)
    }
  }

  /** Sends a request; resolves with a 200 response, throws the node's error for any other status. */
  async #call(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    opts: CallOptions,
    idleTimeoutMs = this.#idleTimeoutMs,
  ): Promise<Exchange> {
    const ex = await exchange(this.#socketPath, {
      method,
      path,
      body,
      signal: opts.signal,
      idleTimeoutMs,
    })
    this.#open.add(ex)
    if (ex.res.statusCode === 200) return ex
    try {
      throw answerError(await this.#errorBody(ex.res), ex.res.statusCode ?? 0, this.#socketPath)
    } catch (err) {
      this.#release(ex)
      throw exchangeError(err, this.#socketPath, opts.signal)
    }
  }

  async #errorBody(res: IncomingMessage): Promise<unknown> {
    try {
      return await readJson(res, this.#socketPath)
    } catch {
      return null
    }
  }

  #release(ex: Exchange): void {
    this.#open.delete(ex)
    ex.release()
  }

  #wrong(what: string): PdnsError {
    return new PdnsError('ERR_NODE_UNREACHABLE', `node at ${this.#socketPath}: ${what}`)
  }
}
