/**
 * CIRCL passive DNS, as dnsdbq -u circl and PyPDNS send it: GET /pdns/query/{value}, answered in COF
 * NDJSON (cof.ts). A name answers the records it owns, every type (`*.example.com`: it and every
 * name below); an address, a prefix (`a.b.c.d,24` or `a.b.c.d/24`) or a range `a-b` answers the
 * records whose rdata lies in it. Negative answers are left out.
 *
 * PyPDNS's paging headers are honoured: `dribble-paginate-count: N` returns at most N records and,
 * when more remain, `x-dribble-cursor: M` (an integer: the records to skip), which the next request
 * sends back as `dribble-paginate-cursor`; `dribble-filter-rrtype` keeps one type.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { parseNamePattern, parseRdataTarget, parseType } from '../../query/parse.ts'
import type { ResultRecord } from '../../query/types.ts'
import { cofBody } from './cof.ts'
import type { RouteContext } from './context.ts'
import { badQuery, httpError } from './errors.ts'
import { MAX_API_OFFSET } from './limits.ts'
import { type Lookup, pagedRecords, pageFetcher } from './paged.ts'
import { splitTarget } from './path.ts'

const PREFIX = '/pdns/query/'

/** An address, prefix or range is an rdata lookup; anything else is a name pattern. */
export function parseCirclValue(value: string): Lookup {
  const v = value.trim()
  if (v === '')
    throw badQuery('the value to look up is missing (/pdns/query/{name, address, prefix or range})')
  if (/^[0-9a-f:.]+([,/][0-9]{1,3}|-[0-9a-f:.]+)?$/i.test(v) && /[0-9]/.test(v) && /[.:]/.test(v)) {
    const t = parseRdataTarget(v)
    if (t.kind === 'address') return { kind: 'rdata', q: { target: t } }
  }
  return { kind: 'rrset', q: { name: parseNamePattern(v), kinds: ['rr'] } }
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name]
  return typeof v === 'string' ? v : undefined
}

function headerCount(req: FastifyRequest, name: string, max: number): number | undefined {
  const v = header(req, name)
  if (v === undefined) return undefined
  if (!/^-?[0-9]{1,15}$/.test(v.trim())) throw badQuery(`${name}: expected an integer`)
  return Math.min(Math.max(0, Number(v)), max)
}

export function registerCircl(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/pdns/query/*', async (req, reply) => answer(ctx, req, reply))
}

async function answer(ctx: RouteContext, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  ctx.label(req, 'circl/query')
  // a prefix written a.b.c.d/24 arrives as two segments
  const { segments } = splitTarget(req.raw.url ?? '', PREFIX)
  const lookup = parseCirclValue(segments.join('/'))
  const filter = header(req, 'dribble-filter-rrtype')
  if (filter !== undefined && filter !== '') lookup.q.rrtype = parseType(filter)
  const max = ctx.maxLimitOf(ctx.keyOf(req))
  const pageSize = headerCount(req, 'dribble-paginate-count', max)
  const offset = headerCount(req, 'dribble-paginate-cursor', MAX_API_OFFSET) ?? 0
  const limit = pageSize === undefined || pageSize === 0 ? max : pageSize
  const signal = ctx.signalOf(req)
  const fetch = pageFetcher(ctx.c.backend, lookup, signal)
  const records = pagedRecords(fetch, { limit, offset, signal })
  // with paging, the cursor header must precede the body: the (bounded) page is read first
  if (pageSize !== undefined && pageSize > 0) {
    const page: ResultRecord[] = []
    let step = await records.next()
    while (step.done !== true) {
      page.push(...step.value)
      step = await records.next()
    }
    if (step.value === 'limit') reply.header('x-dribble-cursor', String(offset + page.length))
    const whole = { done: false, value: page } as const
    return reply.header('content-type', 'application/x-ndjson').send(await cofBody(whole, null, () => {}))
  }
  const first = await records.next()
  return reply.header('content-type', 'application/x-ndjson').send(
    await cofBody(first, records, (end, n, err) => {
      if (err !== undefined && httpError(err).internal) ctx.c.log.error({ err }, 'a CIRCL answer failed')
      ctx.c.log.debug({ route: 'circl', end, records: n }, 'CIRCL answer ended')
    }),
  )
}
