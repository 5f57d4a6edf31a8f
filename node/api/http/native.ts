/**
 * Native endpoints: the CLI's lookups over HTTP, answering exactly what `pdns-mesh query … --format
 * json` prints (records as NDJSON lines of recordToJson, a summary as summaryToJson), negative
 * answers included. With `mesh=1` the node fans the query out to its peers (as --mesh) and answers
 * the CLI's --mesh JSON: `{records, limited, peers}` or `{summary, peers}`.
 *
 *   GET /api/v1/rrset/{pattern}?type&bailiwick&first_after&first_before&last_after&last_before&origin&limit&cursor&mesh&mesh_timeout
 *   GET /api/v1/rdata/{value}?… (value: address, prefix, range, host name, *.name; or raw=HEX)
 *   GET /api/v1/name/{name}?origin&mesh
 *   GET /api/v1/stats, /api/v1/digest, /api/v1/peers
 *
 * A page is one engine call of at most the key's limit (and MAX_NATIVE_PAGE_RECORDS); the next
 * page's cursor is in the `x-pdns-cursor` header.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PdnsError } from '../../errors.ts'
import { recordToJson, summaryToJson } from '../../query/format/json.ts'
import {
  normalizeName,
  parseNamePattern,
  parseRawHex,
  parseRdataTarget,
  parseType,
} from '../../query/parse.ts'
import { DEFAULT_LIMIT, type RdataQuery, type RrsetQuery } from '../../query/types.ts'
import { MAX_CONTROL_PAGE_RECORDS } from '../limits.ts'
import type { RouteContext } from './context.ts'
import { badQuery } from './errors.ts'
import { meshOf as mesh, meshTimeoutOf as meshTimeout } from './mesh-backend.ts'
import { splitTarget } from './path.ts'
import { count, fenceOf, flag, NATIVE_FENCE } from './query-params.ts'
import { QUESTION_ROUTES } from './questions.ts'

export const NATIVE_PREFIX = '/api/v1/'
/** Most records of one native page (the engine computes a page in one go; page on with the cursor). */
export const MAX_NATIVE_PAGE_RECORDS = MAX_CONTROL_PAGE_RECORDS

export type Handler = (
  ctx: RouteContext,
  req: FastifyRequest,
  reply: FastifyReply,
  value: string | null,
) => Promise<unknown>

export interface NativeRoute {
  /** path under /api/v1/; `{value}` routes take the rest of the path as their value */
  path: string
  value: boolean
  summary: string
  /** query parameters it takes, for /openapi.json (absent: the lookups' set) */
  params?: readonly string[]
  handler: Handler
}

function common(ctx: RouteContext, req: FastifyRequest, q: URLSearchParams) {
  const out: Omit<RrsetQuery, 'name'> = {}
  const type = q.get('type')
  if (type !== null) out.rrtype = parseType(type)
  const fence = fenceOf(q, NATIVE_FENCE)
  if (fence !== undefined) out.fence = fence
  const origin = q.get('origin')
  if (origin !== null) out.origin = origin
  const max = Math.min(ctx.maxLimitOf(ctx.keyOf(req)), MAX_NATIVE_PAGE_RECORDS)
  out.limit = Math.min(Math.max(1, count(q, 'limit', Number.MAX_SAFE_INTEGER, DEFAULT_LIMIT)), max)
  const cursor = q.get('cursor')
  if (cursor !== null) out.cursor = cursor
  return out
}

const records =
  (kind: 'rrset' | 'rdata'): Handler =>
  async (ctx, req, reply, value) => {
    const { query } = splitTarget(req.raw.url ?? '', '')
    const base = common(ctx, req, query)
    const signal = ctx.signalOf(req)
    let lookup: { lookup: 'rrset'; query: RrsetQuery } | { lookup: 'rdata'; query: RdataQuery }
    if (kind === 'rrset') {
      if (value === null) throw badQuery('rrset: the name is missing')
      const q: RrsetQuery = { ...base, name: parseNamePattern(value) }
      const bw = query.get('bailiwick')
      if (bw !== null) q.bailiwick = normalizeName(bw, 'bailiwick')
      lookup = { lookup: 'rrset', query: q }
    } else {
      const raw = query.get('raw')
      if ((raw === null) === (value === null))
        throw badQuery('rdata: give the value in the path or raw=HEX, one of them')
      lookup = {
        lookup: 'rdata',
        query: { ...base, target: raw === null ? parseRdataTarget(value!) : parseRawHex(raw) },
      }
    }
    if (flag(query, 'mesh', false)) {
      if (base.cursor !== undefined)
        throw badQuery('cursor does not apply to mesh queries (pages are per node)')
      const a = await mesh(ctx).query(lookup, { signal, ...meshTimeout(query) })
      return reply
        .type('application/json')
        .send(JSON.stringify({ records: a.records, limited: a.limited, peers: a.peers }))
    }
    const page =
      lookup.lookup === 'rrset'
        ? await ctx.c.backend.rrset(lookup.query, { signal })
        : await ctx.c.backend.rdata(lookup.query, { signal })
    if (page.cursor !== null) reply.header('x-pdns-cursor', page.cursor)
    let body = ''
    for (const r of page.records) body += `${recordToJson(r)}\n`
    return reply.type('application/x-ndjson').send(body)
  }

/** The route table: the lookups here, the seven questions (questions.ts) after them. */
export const NATIVE_ROUTES: readonly NativeRoute[] = [
  {
    path: 'rrset',
    value: true,
    summary: 'records owned by a name or pattern (as query rrset)',
    handler: records('rrset'),
  },
  {
    path: 'rdata',
    value: true,
    summary: 'records by rdata: address, prefix, range, host name (as query rdata)',
    handler: records('rdata'),
  },
  {
    path: 'name',
    value: true,
    summary: 'a summary of a name (as query name)',
    handler: async (ctx, req, reply, value) => {
      if (value === null) throw badQuery('name: the name is missing')
      const { query } = splitTarget(req.raw.url ?? '', '')
      const name = normalizeName(value)
      const origin = query.get('origin')
      const signal = ctx.signalOf(req)
      if (flag(query, 'mesh', false)) {
        const a = await mesh(ctx).query(
          { lookup: 'summary', name, ...(origin === null ? {} : { origin }) },
          { signal, ...meshTimeout(query) },
        )
        return reply.type('application/json').send(JSON.stringify({ summary: a.summary, peers: a.peers }))
      }
      const s = await ctx.c.backend.summary(name, { signal, ...(origin === null ? {} : { origin }) })
      if (s === null) return reply.code(404).send({ message: `${name} was never seen` })
      return reply.type('application/json').send(summaryToJson(s))
    },
  },
  {
    path: 'stats',
    value: false,
    summary: 'store statistics (as stats --format json, without the node status)',
    handler: async (ctx, req) => ctx.c.backend.stats({ signal: ctx.signalOf(req) }),
  },
  {
    path: 'digest',
    value: false,
    summary: "the merged store's digest (as digest)",
    handler: async (ctx, req) => {
      if (ctx.c.digest === null) throw new PdnsError('ERR_MESH_OFF', 'this node computes no digest')
      return ctx.c.digest({ signal: ctx.signalOf(req) })
    },
  },
  {
    path: 'peers',
    value: false,
    summary: 'mesh peers (as peers --format json)',
    handler: async (ctx) => mesh(ctx).status(),
  },
  ...QUESTION_ROUTES,
]

export function registerNative(app: FastifyInstance, ctx: RouteContext): void {
  for (const r of NATIVE_ROUTES) {
    const run = async (req: FastifyRequest, reply: FastifyReply) => {
      ctx.label(req, `native/${r.path}`)
      let value: string | null = null
      if (r.value) {
        const { segments } = splitTarget(req.raw.url ?? '', `${NATIVE_PREFIX}${r.path}/`)
        // a prefix written a.b.c.d/24 arrives as two segments
        value = segments.length === 0 || segments.join('/') === '' ? null : segments.join('/')
      }
      return r.handler(ctx, req, reply, value)
    }
    app.get(`${NATIVE_PREFIX}${r.path}`, run)
    if (r.value) app.get(`${NATIVE_PREFIX}${r.path}/*`, run)
  }
}
