/**
 * DNSDB API v2, as dnsdbq -u dnsdb2 and DNSDB's own clients send it:
 *
 *   GET /dnsdb/v2/{lookup|summarize}/rrset/name/{name}[/{type}[/{bailiwick}]]
 *   GET /dnsdb/v2/{lookup|summarize}/rrset/raw/{hex}[/{type}[/{bailiwick}]]
 *   GET /dnsdb/v2/{lookup|summarize}/rdata/ip/{addr}[,{prefix}]   (also a range a-b)
 *   GET /dnsdb/v2/{lookup|summarize}/rdata/name/{name}[/{type}]
 *   GET /dnsdb/v2/{lookup|summarize}/rdata/raw/{hex}[/{type}]
 *   GET /dnsdb/v2/rate_limit, /dnsdb/v2/ping
 *
 * Query string: time_{first,last}_{after,before}, limit (0: the key's most), offset, max_count
 * (summarize), aggr and swclient/version (accepted; records here are always aggregated), humantime.
 * The answer is SAF (saf.ts). Negative answers have no rdata and are left out.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { MAX_QUERY_LIMIT } from '../../query/limits.ts'
import {
  normalizeName,
  parseNamePattern,
  parseRawHex,
  parseRdataTarget,
  parseType,
} from '../../query/parse.ts'
import { DEFAULT_LIMIT, type RrsetQuery } from '../../query/types.ts'
import type { AnswerEnd } from './body.ts'
import type { RouteContext } from './context.ts'
import { badQuery, httpError } from './errors.ts'
import { MAX_API_OFFSET } from './limits.ts'
import { type Lookup, type PagedEnd, pagedRecords, pageFetcher, type RecordPages } from './paged.ts'
import { splitTarget } from './path.ts'
import { count, DNSDB_FENCE, fenceOf, flag } from './query-params.ts'
import { safBody, safRecords } from './saf.ts'

const PREFIX = '/dnsdb/v2/'
const SAF_TYPE = 'application/x-ndjson'

function typeOf(text: string | undefined): number | undefined {
  if (text === undefined || text === '' || text.toUpperCase() === 'ANY') return undefined
  return parseType(text)
}

/** The lookup a path names; every value checked, nothing read yet. */
export function parseDnsdbPath(segments: readonly string[]): {
  verb: 'lookup' | 'summarize'
  lookup: Lookup
} {
  const [verb, family, sub, value, a, b, ...extra] = segments
  if (verb !== 'lookup' && verb !== 'summarize') {
    throw badQuery(`no DNSDB endpoint ${JSON.stringify(`${PREFIX}${segments.join('/')}`.slice(0, 120))}`, 404)
  }
  if (value === undefined || value === '')
    throw badQuery(`${verb}/${family ?? ''}/${sub ?? ''}: the value is missing`)
  if (extra.length > 0 || (family === 'rdata' && b !== undefined)) throw badQuery('too many path segments')
  const rrtype = typeOf(a)
  const common = rrtype === undefined ? {} : { rrtype }
  if (family === 'rrset' && (sub === 'name' || sub === 'raw')) {
    let name = sub === 'name' ? parseNamePattern(value) : null
    if (name === null) {
      const t = parseRawHex(value)
      if (t.kind !== 'name') throw badQuery('rrset/raw: the hex is not a wire-format owner name')
      name = { kind: 'exact', name: t.name }
    }
    const q: RrsetQuery = { ...common, name, kinds: ['rr'] }
    if (b !== undefined && b !== '') q.bailiwick = normalizeName(b, 'bailiwick')
    return { verb, lookup: { kind: 'rrset', q } }
  }
  if (family === 'rdata' && (sub === 'ip' || sub === 'name' || sub === 'raw')) {
    if (sub === 'ip') {
      if (a !== undefined) throw badQuery('rdata/ip takes no type')
      const target = parseRdataTarget(value)
      if (target.kind !== 'address')
        throw badQuery(`rdata/ip: not an address, prefix or range: ${JSON.stringify(value)}`)
      return { verb, lookup: { kind: 'rdata', q: { target } } }
    }
    if (sub === 'name') {
      const t = value.trim()
      const target = t.startsWith('*.')
        ? { kind: 'name' as const, name: normalizeName(t.slice(2), 'host name'), below: true }
        : { kind: 'name' as const, name: normalizeName(t, 'host name'), below: false }
      return { verb, lookup: { kind: 'rdata', q: { ...common, target } } }
    }
    return { verb, lookup: { kind: 'rdata', q: { ...common, target: parseRawHex(value) } } }
  }
  throw badQuery(`no DNSDB endpoint ${JSON.stringify(`${PREFIX}${segments.join('/')}`.slice(0, 120))}`, 404)
}

export function registerDnsdb(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/dnsdb/v2/ping', async (req) => {
    ctx.label(req, 'dnsdb/ping')
    return { ping: 'ok' }
  })

  // dnsdbq reads answers line by line: a JSON answer without its newline is never read
  app.get('/dnsdb/v2/rate_limit', async (req, reply) => {
    ctx.label(req, 'dnsdb/rate_limit')
    const key = ctx.keyOf(req)
    // no daily quota here: a per-minute rate, which DNSDB calls a burst
    const body = {
      rate: {
        reset: 'n/a',
        expires: 'n/a',
        limit: 'unlimited',
        remaining: 'n/a',
        burst_size: ctx.rateOf(key),
        burst_window: 60,
        results_max: ctx.maxLimitOf(key),
        offset_max: MAX_API_OFFSET,
      },
    }
    return reply.type('application/json').send(`${JSON.stringify(body)}\n`)
  })

  app.get('/dnsdb/v2/*', async (req, reply) => answer(ctx, req, reply))
}

async function answer(ctx: RouteContext, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const { segments, query } = splitTarget(req.raw.url ?? '', PREFIX)
  const { verb, lookup } = parseDnsdbPath(segments)
  ctx.label(req, `dnsdb/${verb}/${segments[1]}/${segments[2]}`)
  const key = ctx.keyOf(req)
  const max = ctx.maxLimitOf(key)
  const fence = fenceOf(query, DNSDB_FENCE)
  if (fence !== undefined) lookup.q.fence = fence
  // DNSDB: limit 0 is "as many as allowed"; anything above the key's bound is clamped to it
  const asked = count(query, 'limit', MAX_QUERY_LIMIT, DEFAULT_LIMIT)
  const limit = asked === 0 ? max : Math.min(asked, max)
  const offset = count(query, 'offset', MAX_API_OFFSET, 0)
  const maxCount = count(query, 'max_count', Number.MAX_SAFE_INTEGER, 0)
  const humantime = flag(query, 'humantime', false)
  flag(query, 'aggr', true)
  const signal = ctx.signalOf(req)
  const fetch = pageFetcher(ctx.c.backend, lookup, signal)
  // a bad query (an unknown origin, a refused cursor) fails before the head, with its own status
  const records = pagedRecords(fetch, { limit: verb === 'summarize' ? max : limit, offset, signal })
  const first = await records.next()
  reply.header('content-type', SAF_TYPE).header('cache-control', 'no-store')
  const describe = (err: unknown) => {
    const a = httpError(err)
    if (a.internal) ctx.c.log.error({ err }, 'a DNSDB answer failed')
    return a.body.message
  }
  const onEnd = (end: AnswerEnd, n: number) => {
    ctx.c.log.debug({ route: 'dnsdb', end, records: n }, 'DNSDB answer ended')
  }
  if (verb === 'lookup') return reply.send(await safRecords(first, records, humantime, describe, onEnd))
  async function* replay() {
    if (first.done === true) return first.value
    yield first.value
    return yield* records
  }
  return reply.send(await safBody(summarize(replay(), maxCount), describe, onEnd))
}

/** DNSDB's summarize: one obj with the count, the number of records, first and last seen. */
async function* summarize(pages: RecordPages, maxCount: number): AsyncGenerator<readonly string[], PagedEnd> {
  let total = 0
  let n = 0
  let first = Number.POSITIVE_INFINITY
  let last = 0
  let end: PagedEnd = 'complete'
  scan: for (;;) {
    const step = await pages.next()
    if (step.done === true) {
      end = step.value
      break
    }
    for (const r of step.value) {
      total += r.count
      n++
      if (r.first < first) first = r.first
      if (r.last > last) last = r.last
      // DNSDB: max_count ends the summary once the count is over it
      if (maxCount > 0 && total >= maxCount) {
        end = 'limit'
        await pages.return('limit')
        break scan
      }
    }
  }
  const obj: Record<string, number> = { count: total, num_results: n }
  if (n > 0) {
    obj.time_first = first
    obj.time_last = last
  }
  yield [`${JSON.stringify({ obj })}\n`]
  return end
}
