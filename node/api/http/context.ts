/** What the HTTP API's routes are given: the node's parts, the per-key limits, and the request's key. */
import type { FastifyRequest } from 'fastify'
import type { Logger } from '../../log/logger.ts'
import type { QueryBackend } from '../../query/types.ts'
import type { MeshControl } from '../types.ts'
import type { ApiKeyEntry, ApiKeys } from './keys.ts'
import type { NodeMetricsSource } from './metrics.ts'

export interface HttpApiComponents {
  backend: QueryBackend
  /** the node's mesh; null: off (mesh=1 answers ERR_MESH_OFF) */
  mesh: MeshControl | null
  /** the merged store's digest (node/mesh/digest.ts) */
  digest: ((opts: { signal?: AbortSignal }) => Promise<unknown>) | null
  /**
   * What /metrics answers: the node's metrics read from its status and store at each scrape, with
   * this server's request metrics; or `text`, made elsewhere: in an API thread (api.threads), by the
   * node's thread, which adds every thread's request metrics to its own.
   */
  metrics: NodeMetricsSource | { text: () => Promise<string> }
  keys: ApiKeys
  log: Logger
}

export interface RouteContext {
  c: HttpApiComponents
  /** the key that authenticated this request (the auth hook ran before any route) */
  keyOf(req: FastifyRequest): ApiKeyEntry
  /** the most records one query of this key returns */
  maxLimitOf(key: ApiKeyEntry): number
  /** requests a minute of this key */
  rateOf(key: ApiKeyEntry): number
  /** tokens left of this key's rate */
  remainingOf(key: ApiKeyEntry): number
  /** aborted when the client goes away or the node stops */
  signalOf(req: FastifyRequest): AbortSignal
  /** names the request in metrics and logs (a route family, never a value) */
  label(req: FastifyRequest, route: string): void
}
