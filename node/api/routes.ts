/**
 * The endpoints of the control API (v1). Queries arrive as JSON (wire.ts) and are re-validated;
 * pages and exports stream as NDJSON (record-writer.ts); everything else is one JSON object.
 *
 *   GET  /v1/ping     { service, api, version, pid, peerId }
 *   GET  /v1/status   NodeStatus
 *   GET  /v1/stats    StoreStats
 *   POST /v1/rrset    RrsetQuery  → records, then {"$end": n, "cursor": …}
 *   POST /v1/rdata    RdataQuery  → records, then {"$end": n, "cursor": …}
 *   POST /v1/summary  { name, origin? } → { summary: NameSummary | null }
 *   POST /v1/new      NewNamesQuery → NewNamesPage { names, cursor }
 *   GET  /v1/export   records in key order, then {"$end": n}
 *   POST /v1/domains  { after?, limit? } → DomainsPage (registered domains held, for lookalikes)
 *   GET  /v1/digest   StoreDigest (node/mesh/digest.ts)
 *   GET  /v1/peers    MeshStatus (ERR_MESH_OFF when the mesh is off)
 *   POST /v1/reload   ReloadResult: the configuration re-read, what can change live applied
 *   POST /v1/mesh/query { lookup: rrset|rdata|summary|new, query, timeoutMs? } → MeshAnswer
 *   POST /v1/import   ImportRequest → NDJSON progress, then the summary (import-wire.ts)
 *   POST /v1/import/cancel { id } → { cancelled }
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { PdnsError } from '../errors.ts'
import type { Logger } from '../log/logger.ts'
import type { MeshQuery } from '../mesh/query-wire.ts'
import { MAX_QUERY_LIMIT } from '../query/limits.ts'
import type { QueryBackend } from '../query/types.ts'
import { DEFAULT_LIMIT } from '../query/types.ts'
import { errorAnswer } from './error-answer.ts'
import { importRoutes } from './import-route.ts'
import { body, sendJson } from './json-io.ts'
import { MAX_CONTROL_PAGE_RECORDS } from './limits.ts'
import { requireMesh } from './mesh-control.ts'
import { type StreamOutcome, writeRecords } from './record-writer.ts'
import {
  API_VERSION,
  type ImportControl,
  type MeshControl,
  type NodeStatus,
  type PingAnswer,
} from './types.ts'
import { decodeNewNamesQuery, decodeRdataQuery, decodeRrsetQuery, decodeSummaryRequest } from './wire.ts'

export interface RouteContext {
  backend: QueryBackend
  mesh: MeshControl | null
  digest: ((opts: { signal?: AbortSignal }) => Promise<unknown>) | null
  reload: (() => Promise<unknown>) | null
  /** the node's imports; null: this server takes none */
  imports: ImportControl | null
  status: () => NodeStatus
  log: Logger
  /** aborted when the client goes away or the node stops */
  signal: AbortSignal
  stallTimeoutMs: number
  /** a streamed answer ended (for the counters and the log) */
  streamed: (path: string, outcome: StreamOutcome, records: number) => void
}

export { sendJson }

export type Handler = (ctx: RouteContext, req: IncomingMessage, res: ServerResponse) => Promise<void>

const STOPPING_ERROR = {
  code: 'ERR_NODE_UNREACHABLE',
  message: 'the node stopped before its answer was complete',
}

function streamOptions(ctx: RouteContext, trailer?: Record<string, unknown>) {
  return {
    signal: ctx.signal,
    stallTimeoutMs: ctx.stallTimeoutMs,
    describe: (err: unknown) => {
      const a = errorAnswer(err)
      if (a.internal) ctx.log.error({ err }, 'a streamed answer failed')
      return a.body
    },
    stopping: STOPPING_ERROR,
    ...(trailer === undefined ? {} : { trailer }),
  }
}

const page =
  (kind: 'rrset' | 'rdata'): Handler =>
  async (ctx, req, res) => {
    const b = await body(req, res)
    if (b === undefined) return
    // the query engine is synchronous: one page is one uninterrupted stretch of the node's event
    // loop (capture and dnstap wait), so pages are clamped; RemoteBackend asks for the rest by cursor
    // (a limit the engine refuses is left as it is, so the client gets the engine's own error)
    const clamp = <Q extends { limit?: number }>(q: Q): Q => {
      const limit = q.limit ?? DEFAULT_LIMIT
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) return q
      return { ...q, limit: Math.min(limit, MAX_CONTROL_PAGE_RECORDS) }
    }
    const p =
      kind === 'rrset'
        ? await ctx.backend.rrset(clamp(decodeRrsetQuery(b.value)), { signal: ctx.signal })
        : await ctx.backend.rdata(clamp(decodeRdataQuery(b.value)), { signal: ctx.signal })
    const r = await writeRecords(res, p.records, streamOptions(ctx, { cursor: p.cursor }))
    ctx.streamed(`/v1/${kind}`, r.outcome, r.records)
  }

function meshOf(ctx: RouteContext): MeshControl {
  return requireMesh(ctx.mesh)
}

/** A mesh query's body: the lookup and its query, as /v1/rrset, /v1/rdata and /v1/summary take them. */
function decodeMeshQuery(body: unknown): { q: MeshQuery; timeoutMs?: number } {
  const b = (body ?? {}) as Record<string, unknown>
  const timeoutMs = b.timeoutMs
  if (
    timeoutMs !== undefined &&
    (!Number.isInteger(timeoutMs) || (timeoutMs as number) < 1 || (timeoutMs as number) > 600_000)
  ) {
    throw new PdnsError('ERR_BAD_QUERY', 'timeoutMs: an integer of milliseconds from 1 to 600000')
  }
  const t = timeoutMs === undefined ? {} : { timeoutMs: timeoutMs as number }
  switch (b.lookup) {
    case 'rrset':
      return { q: { lookup: 'rrset', query: decodeRrsetQuery(b.query) }, ...t }
    case 'rdata':
      return { q: { lookup: 'rdata', query: decodeRdataQuery(b.query) }, ...t }
    case 'summary': {
      const s = decodeSummaryRequest(b.query)
      return {
        q: { lookup: 'summary', name: s.name, ...(s.origin === undefined ? {} : { origin: s.origin }) },
        ...t,
      }
    }
    case 'new':
      return { q: { lookup: 'new', query: decodeNewNamesQuery(b.query) }, ...t }
    default:
      throw new PdnsError('ERR_BAD_QUERY', 'lookup: one of rrset, rdata, summary, new')
  }
}

const ROUTES = new Map<string, { method: 'GET' | 'POST'; handler: Handler }>([
  [
    '/v1/digest',
    {
      method: 'GET',
      handler: async (ctx, _req, res) => {
        if (ctx.digest === null) throw new PdnsError('ERR_MESH_OFF', 'this node computes no digest')
        sendJson(res, 200, await ctx.digest({ signal: ctx.signal }))
      },
    },
  ],
  [
    '/v1/reload',
    {
      method: 'POST',
      handler: async (ctx, _req, res) => {
        if (ctx.reload === null) throw new PdnsError('ERR_CONFIG', 'this node has no configuration to reload')
        sendJson(res, 200, await ctx.reload())
      },
    },
  ],
  [
    '/v1/peers',
    { method: 'GET', handler: async (ctx, _req, res) => sendJson(res, 200, meshOf(ctx).status()) },
  ],
  [
    '/v1/mesh/query',
    {
      method: 'POST',
      handler: async (ctx, req, res) => {
        const b = await body(req, res)
        if (b === undefined) return
        const { q, timeoutMs } = decodeMeshQuery(b.value)
        const answer = await meshOf(ctx).query(q, {
          signal: ctx.signal,
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
        })
        sendJson(res, 200, answer)
      },
    },
  ],
  [
    '/v1/ping',
    {
      method: 'GET',
      handler: async (ctx, _req, res) => {
        const s = ctx.status()
        const ping: PingAnswer = {
          service: 'pdns-mesh',
          api: API_VERSION,
          version: s.version,
          pid: s.pid,
          peerId: s.peerId,
        }
        sendJson(res, 200, ping)
      },
    },
  ],
  ['/v1/status', { method: 'GET', handler: async (ctx, _req, res) => sendJson(res, 200, ctx.status()) }],
  [
    '/v1/stats',
    {
      method: 'GET',
      handler: async (ctx, _req, res) => sendJson(res, 200, await ctx.backend.stats({ signal: ctx.signal })),
    },
  ],
  ...importRoutes,
  ['/v1/rrset', { method: 'POST', handler: page('rrset') }],
  ['/v1/rdata', { method: 'POST', handler: page('rdata') }],
  [
    '/v1/summary',
    {
      method: 'POST',
      handler: async (ctx, req, res) => {
        const b = await body(req, res)
        if (b === undefined) return
        const q = decodeSummaryRequest(b.value)
        const summary = await ctx.backend.summary(q.name, {
          signal: ctx.signal,
          ...(q.origin === undefined ? {} : { origin: q.origin }),
        })
        sendJson(res, 200, { summary })
      },
    },
  ],
  [
    '/v1/new',
    {
      method: 'POST',
      handler: async (ctx, req, res) => {
        const b = await body(req, res)
        if (b === undefined) return
        // clamped like a page of records (one synchronous scan); RemoteBackend asks on by cursor
        const q = decodeNewNamesQuery(b.value)
        const limit = q.limit ?? DEFAULT_LIMIT
        const clamped = { ...q, limit: Math.min(limit, MAX_CONTROL_PAGE_RECORDS) }
        sendJson(res, 200, await ctx.backend.newNames(clamped, { signal: ctx.signal }))
      },
    },
  ],
  [
    '/v1/domains',
    {
      method: 'POST',
      handler: async (ctx, req, res) => {
        const b = await body(req, res)
        if (b === undefined) return
        const v = (b.value ?? {}) as Record<string, unknown>
        if (
          (v.after !== undefined && typeof v.after !== 'string') ||
          (v.limit !== undefined && typeof v.limit !== 'number')
        ) {
          throw new PdnsError('ERR_BAD_QUERY', 'domains: { after?: string, limit?: number }')
        }
        const q = {
          ...(v.after === undefined ? {} : { after: v.after as string }),
          ...(v.limit === undefined ? {} : { limit: v.limit as number }),
        }
        sendJson(res, 200, await ctx.backend.domains(q, { signal: ctx.signal }))
      },
    },
  ],
  [
    '/v1/export',
    {
      method: 'GET',
      handler: async (ctx, _req, res) => {
        const r = await writeRecords(res, ctx.backend.export({ signal: ctx.signal }), streamOptions(ctx))
        ctx.streamed('/v1/export', r.outcome, r.records)
      },
    },
  ],
])

export async function route(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '').split('?')[0]!
  const r = ROUTES.get(path)
  if (r === undefined) {
    sendJson(res, 404, {
      message: `no endpoint ${JSON.stringify(path.slice(0, 100))} (control API v${API_VERSION})`,
    })
    return
  }
  if (req.method !== r.method) {
    res.setHeader('allow', r.method)
    sendJson(res, 405, { message: `${path} takes ${r.method}` })
    return
  }
  await r.handler(ctx, req, res)
}
