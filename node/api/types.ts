/** What the control channel carries besides the query model (node/query/types.ts). */

/** Version of the control API, the `/v1/` of its paths; a client and a node must agree on it. */
export const API_VERSION = 1

/** What a running node says about itself (GET /v1/status); the node fills it, the channel carries it as JSON. */
export interface NodeStatus {
  /** pdns-mesh version of the node */
  version: string
  pid: number
  /** libp2p peer id: the node's origin label in the store */
  peerId: string
  /** epoch seconds */
  startedAt: number
  dataDir: string
  /** per component (capture, dnstap, sensor, window…): counters and state, JSON-able */
  components: Record<string, unknown>
}

/** GET /v1/ping: enough to tell a pdns-mesh node of the same API from anything else on the socket. */
export interface PingAnswer {
  service: 'pdns-mesh'
  api: number
  version: string
  pid: number
  peerId: string
}

/** An error answer's body (and the `$error` line ending a streamed answer early). */
export interface ErrorBody {
  /** a PdnsError code; absent for internal errors */
  code?: string
  message: string
}

/** What the control API needs of the node's mesh (node/mesh/mesh.ts implements it). */
export interface MeshControl {
  status(): unknown
  query(
    q: import('../mesh/query-wire.ts').MeshQuery,
    opts: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<import('../mesh/mesh.ts').MeshAnswer>
}

/** What the control API needs of the node's imports (node/daemon/import-runner.ts implements it). */
export interface ImportControl {
  run(
    req: import('../ingest/import-job.ts').ImportRequest,
    opts: {
      signal: AbortSignal
      onStart?: (id: string) => void
      onEvent?: (e: import('../ingest/import-job.ts').ImportEvent) => void
    },
  ): Promise<{
    summary: import('../ingest/import-summary.ts').ImportSummary
    errors: string[]
    nodeStopped: boolean
  }>
  cancel(id: string): boolean
}
