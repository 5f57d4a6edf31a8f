/**
 * The node's HTTP API as `api.threads` asks: on the node's own thread (HttpApi) or on threads of its
 * own (ApiThreads) that read the node's open database. Both answer the same routes the same way; the
 * node only starts, reloads and stops it.
 */
import { ApiKeys, ApiThreads, HttpApi, type HttpApiOptions } from '../api/http/index.ts'
import type { NodeStatus } from '../api/index.ts'
import type { MeshControl } from '../api/types.ts'
import type { NodeConfig } from '../config/index.ts'
import type { Logger } from '../log/index.ts'
import type { QueryBackend } from '../query/types.ts'
import type { Store } from '../store/store.ts'

export type NodeApi = HttpApi | ApiThreads

export interface NodeApiComponents {
  store: Store
  backend: QueryBackend
  /** the node's own origin label (its peer id) */
  localLabel: string
  mesh: MeshControl | null
  digest: (opts: { signal?: AbortSignal }) => Promise<unknown>
  status: () => NodeStatus
  log: Logger
}

/** The API `c.api` describes, not started; null when api.listen is empty. */
export function createNodeApi(parts: NodeApiComponents, c: NodeConfig): NodeApi | null {
  if (c.api.listen === null) return null
  const log = parts.log
  const options: HttpApiOptions = {
    listen: c.api.listen,
    tls: c.api.tlsCert === null || c.api.tlsKey === null ? null : { cert: c.api.tlsCert, key: c.api.tlsKey },
    metricsListen: c.api.metricsListen,
    ratePerMin: c.api.ratePerMin,
    maxLimit: c.api.maxLimit,
  }
  const metrics = { status: parts.status, storeProperty: (name: string) => parts.store.property(name) }
  if (c.api.threads > 0) {
    return new ApiThreads(
      {
        store: parts.store,
        dataDir: c.dataDir,
        localLabel: parts.localLabel,
        mesh: parts.mesh,
        digest: parts.digest,
        metrics,
        log,
        logLevel: c.log.level,
      },
      { ...options, threads: c.api.threads },
    )
  }
  return new HttpApi(
    {
      backend: parts.backend,
      mesh: parts.mesh,
      digest: parts.digest,
      metrics,
      keys: new ApiKeys(c.dataDir, (err) =>
        log.error({ err }, 'the API key file is unreadable: no key is accepted'),
      ),
      log,
    },
    options,
  )
}
