/**
 * The seven questions as native endpoints: each calls the same engine function as its CLI command
 * (node/analysis/) and answers exactly the JSON that command prints with `--format json`. Query
 * parameters are the CLI's options with `_` for `-`; `mesh=1` is `--mesh` (peer statuses, which the
 * CLI writes to stderr, go in the `x-pdns-mesh-peers` header so that the body stays the CLI's).
 *
 *   GET /api/v1/new?since&under&type&origin&limit&cursor
 *   GET /api/v1/ip/{address|cidr|range}?first_after&first_before&last_after&last_before&origin&mesh
 *   GET /api/v1/ns-history/{domain}?…fences, origin, mesh
 *   GET /api/v1/ip-history/{name}?…fences, origin, mesh
 *   GET /api/v1/flux?under&since&limit&origin&mesh
 *   GET /api/v1/lookalikes/{domain}?since&max_distance&limit&origin&mesh
 *   GET /api/v1/cname-audit/{zone}?stale_after&origin&mesh
 *
 * Result counts (new, flux, lookalikes) are clamped to the key's max_limit as the lookups' are. Files
 * the CLI reads (--asn-table, --providers, --dictionary, --tlds) are not taken over HTTP: a request
 * names no path on the node's disk.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { type CnameAuditArgs, cnameAudit } from '../../analysis/cname/audit.ts'
import { loadProviders, type ProviderTable } from '../../analysis/cname/providers.ts'
import { scopeOf } from '../../analysis/collect-pages.ts'
import { parseDuration } from '../../analysis/duration.ts'
import { fluxRank } from '../../analysis/flux-rank.ts'
import { ipHistory } from '../../analysis/ip-history.ts'
import { ipNames } from '../../analysis/ip-names.ts'
import { DEFAULT_NEW_SINCE_SECONDS, MAX_FLUX_RANK_LIMIT } from '../../analysis/limits.ts'
import {
  DEFAULT_LOOKALIKE_LIMIT,
  MAX_LOOKALIKE_DISTANCE,
  MAX_LOOKALIKE_LIMIT,
} from '../../analysis/lookalikes/limits.ts'
import { type LookalikesArgs, lookalikes } from '../../analysis/lookalikes/lookalikes.ts'
import { type NewNamesAsked, newNamesToJson } from '../../analysis/new-names.ts'
import { nsHistory } from '../../analysis/ns-history.ts'
import { typeName } from '../../dns/constants.ts'
import { normalizeName, parseRdataTarget, parseType } from '../../query/parse.ts'
import { DEFAULT_LIMIT, type NewNamesQuery, type QueryBackend } from '../../query/types.ts'
import type { RouteContext } from './context.ts'
import { badQuery } from './errors.ts'
import { meshOf, meshTimeoutOf, nodeMeshBackend } from './mesh-backend.ts'
import type { NativeRoute } from './native.ts'
import { splitTarget } from './path.ts'
import { count, fenceOf, flag, NATIVE_FENCE, timeParam } from './query-params.ts'

/** `flux` without a limit ranks this many names (the CLI's default). */
const DEFAULT_FLUX_RANK = 50

function queryOf(req: FastifyRequest): URLSearchParams {
  return splitTarget(req.raw.url ?? '', '').query
}

function needed(value: string | null, what: string): string {
  if (value === null || value.trim() === '') throw badQuery(`${what} is missing from the path`)
  return value
}

/** A result count: the parameter (default `absent`), at least 1, clamped to the key's and the engine's bound. */
function clampedLimit(
  ctx: RouteContext,
  req: FastifyRequest,
  q: URLSearchParams,
  absent: number,
  engineMax: number,
): number {
  const max = Math.min(ctx.maxLimitOf(ctx.keyOf(req)), engineMax)
  return Math.min(Math.max(1, count(q, 'limit', Number.MAX_SAFE_INTEGER, absent)), max)
}

function originOf(q: URLSearchParams): { origin?: string } {
  const o = q.get('origin')
  return o === null ? {} : { origin: o }
}

/**
 * Runs `fn` on the node's store or, with mesh=1, on the mesh; answers its JSON with the peers'
 * statuses in a header.
 */
async function answer(
  ctx: RouteContext,
  req: FastifyRequest,
  reply: FastifyReply,
  q: URLSearchParams,
  fn: (backend: QueryBackend, signal: AbortSignal, mesh: boolean) => Promise<unknown>,
): Promise<unknown> {
  const signal = ctx.signalOf(req)
  const mesh = flag(q, 'mesh', false)
  if (!mesh) {
    if (q.get('mesh_timeout') !== null) throw badQuery('mesh_timeout applies to mesh=1')
    return reply.type('application/json').send(JSON.stringify(await fn(ctx.c.backend, signal, false)))
  }
  const t = meshTimeoutOf(q)
  const backend = nodeMeshBackend(ctx.c.backend, meshOf(ctx), t.timeoutMs)
  const body = JSON.stringify(await fn(backend, signal, true))
  reply.header('x-pdns-mesh-peers', JSON.stringify([...backend.peers.values()]))
  return reply.type('application/json').send(body)
}

let providers: ProviderTable | null = null
/** The built-in provider table, read once (it is the same file for every request). */
function builtinProviders(): ProviderTable {
  providers ??= loadProviders()
  return providers
}

export const QUESTION_ROUTES: readonly NativeRoute[] = [
  {
    path: 'new',
    params: ['since', 'under', 'type', 'origin', 'limit', 'cursor'],
    value: false,
    summary: 'names first seen since a time, newest first (as new --format json)',
    handler: async (ctx, req, reply) => {
      const q = queryOf(req)
      const now = Math.floor(Date.now() / 1000)
      const since = timeParam(q, 'since') ?? now - DEFAULT_NEW_SINCE_SECONDS
      if (since > now) throw badQuery('since: it is in the future: no name is first seen after now')
      const nq: NewNamesQuery = { since }
      const asked: NewNamesAsked = { since, under: null, rrtype: null }
      const under = q.get('under')
      if (under !== null) {
        const zone = normalizeName(under, 'under')
        // the root holds every name: the same as no under
        if (zone !== '.') {
          nq.under = zone
          asked.under = zone
        }
      }
      const type = q.get('type')
      if (type !== null) {
        const t = parseType(type)
        if (t !== 255) {
          nq.rrtype = t
          asked.rrtype = typeName(t)
        }
      }
      const origin = q.get('origin')
      if (origin !== null) nq.origin = origin
      nq.limit = clampedLimit(ctx, req, q, DEFAULT_LIMIT, DEFAULT_LIMIT)
      const cursor = q.get('cursor')
      if (cursor !== null) {
        if (flag(q, 'mesh', false)) throw badQuery('cursor does not apply to mesh=1 (pages are per node)')
        nq.cursor = cursor
      }
      // mesh=1: each candidate's first sighting settled across the mesh (newNamesToJson is a string)
      return await answer(ctx, req, reply, q, async (backend, signal) => {
        const page = await backend.newNames(nq, { signal })
        if (page.cursor !== null) reply.header('x-pdns-cursor', page.cursor)
        return JSON.parse(newNamesToJson(asked, page, now)) as unknown
      })
    },
  },
  {
    path: 'ip',
    params: ['first_after', 'first_before', 'last_after', 'last_before', 'origin', 'mesh', 'mesh_timeout'],
    value: true,
    summary: 'names pointing at an address, prefix or range, beside their PTR names (as ip --format json)',
    handler: async (ctx, req, reply, value) => {
      const q = queryOf(req)
      const text = needed(value, 'the address, CIDR or range')
      const target = parseRdataTarget(text)
      if (target.kind !== 'address') throw badQuery(`not an address, CIDR or range: ${JSON.stringify(text)}`)
      const scope = scopeOf({ fence: fenceOf(q, NATIVE_FENCE), ...originOf(q) })
      return answer(ctx, req, reply, q, (backend, signal) =>
        ipNames({ backend }, { lo: target.lo, hi: target.hi, query: text.trim(), ...scope }, { signal }),
      )
    },
  },
  {
    path: 'ns-history',
    params: ['first_after', 'first_before', 'last_after', 'last_before', 'origin', 'mesh', 'mesh_timeout'],
    value: true,
    summary: "a domain's NS sets over time, its provider and SOA changes (as ns-history --format json)",
    handler: async (ctx, req, reply, value) => {
      const q = queryOf(req)
      const domain = normalizeName(needed(value, 'the domain'), 'domain')
      const scope = scopeOf({ fence: fenceOf(q, NATIVE_FENCE), ...originOf(q) })
      return answer(ctx, req, reply, q, (backend, signal) =>
        nsHistory({ backend }, { domain, ...scope }, { signal }),
      )
    },
  },
  {
    path: 'ip-history',
    params: ['first_after', 'first_before', 'last_after', 'last_before', 'origin', 'mesh', 'mesh_timeout'],
    value: true,
    summary: "a name's addresses over time and a fast-flux assessment (as ip-history --format json)",
    handler: async (ctx, req, reply, value) => {
      const q = queryOf(req)
      const name = normalizeName(needed(value, 'the name'))
      const scope = scopeOf({ fence: fenceOf(q, NATIVE_FENCE), ...originOf(q) })
      return answer(ctx, req, reply, q, (backend, signal) =>
        ipHistory({ backend }, { name, ...scope }, { signal }),
      )
    },
  },
  {
    path: 'flux',
    params: ['under', 'since', 'limit', 'origin', 'mesh', 'mesh_timeout'],
    value: false,
    summary: 'the most flux-like names, ranked (as flux --format json)',
    handler: async (ctx, req, reply) => {
      const q = queryOf(req)
      const u = q.get('under')
      const under = u === null ? undefined : normalizeName(u, 'zone')
      const since = timeParam(q, 'since')
      const limit = clampedLimit(ctx, req, q, DEFAULT_FLUX_RANK, MAX_FLUX_RANK_LIMIT)
      return answer(ctx, req, reply, q, (backend, signal) =>
        fluxRank(
          { backend },
          {
            limit,
            ...(under === undefined ? {} : { under }),
            ...(since === undefined ? {} : { since }),
            ...originOf(q),
          },
          { signal },
        ),
      )
    },
  },
  {
    path: 'lookalikes',
    params: ['since', 'max_distance', 'limit', 'origin', 'mesh', 'mesh_timeout'],
    value: true,
    summary: 'registered domains in the store that imitate a brand domain (as lookalikes --format json)',
    handler: async (ctx, req, reply, value) => {
      const q = queryOf(req)
      const a: LookalikesArgs = {
        domain: needed(value, 'the brand domain'),
        limit: clampedLimit(ctx, req, q, DEFAULT_LOOKALIKE_LIMIT, MAX_LOOKALIKE_LIMIT),
        ...originOf(q),
      }
      const since = timeParam(q, 'since')
      if (since !== undefined) a.since = since
      if (q.get('max_distance') !== null) a.maxDistance = count(q, 'max_distance', MAX_LOOKALIKE_DISTANCE, 0)
      return answer(ctx, req, reply, q, (backend, signal, mesh) =>
        lookalikes({ backend, exactLookups: mesh }, a, { signal }),
      )
    },
  },
  {
    path: 'cname-audit',
    params: ['stale_after', 'origin', 'mesh', 'mesh_timeout'],
    value: true,
    summary:
      'CNAMEs at or below a zone: dangling, stale or ok, with their provider (as cname-audit --format json)',
    handler: async (ctx, req, reply, value) => {
      const q = queryOf(req)
      const a: CnameAuditArgs = { zone: needed(value, 'the zone'), ...originOf(q) }
      const stale = q.get('stale_after')
      if (stale !== null) a.staleAfter = parseDuration(stale, 'stale_after')
      return answer(ctx, req, reply, q, (backend, signal) =>
        cnameAudit({ backend, providers: builtinProviders() }, a, { signal }),
      )
    },
  },
]
