/**
 * Question 7, "which of my CNAMEs are dangling?": every CNAME record at or below a zone, its chain
 * followed through the store (bounded, loops detected), the provider of the names along it, and a
 * status from what passive DNS saw of the chain's end:
 *
 * - `dangling`: the end answered NXDOMAIN after the CNAME was first seen and has not resolved since,
 *   or it was never seen resolving at all (no answer of any other type), or the chain loops or is
 *   longer than resolvers follow — the condition a takeover needs when the provider lets anyone
 *   claim the name;
 * - `stale`: the end has not been seen resolving for `staleAfter` while the CNAME itself still is;
 * - `ok`.
 *
 * The one engine of the CLI command and, later, of the HTTP API.
 */
import { PdnsError } from '../../errors.ts'
import { tableTime } from '../../query/format/table.ts'
import { normalizeName } from '../../query/parse.ts'
import type { CallOptions, QueryBackend, ResultRecord } from '../../query/types.ts'
import {
  CNAME_PAGE,
  DEFAULT_STALE_AFTER,
  MAX_AUDITED_CNAMES,
  MAX_CNAME_DEPTH,
  MAX_RECORDS_PER_HOP,
} from './limits.ts'
import type { Provider, ProviderTable } from './providers.ts'

const T_CNAME = 5

export interface CnameAuditArgs {
  zone: string
  /** seconds without the target resolving before a still-seen CNAME is stale (default 30 days) */
  staleAfter?: number
  origin?: string
  /** "now", epoch seconds (tests pin it) */
  now?: number
}

export type CnameStatus = 'dangling' | 'stale' | 'ok'

export interface CnameFinding {
  name: string
  /** the CNAME's own target (the first hop) */
  target: string
  /** every name from the owner to where the chain ends (or stops) */
  chain: string[]
  /** the provider of the last name along the chain that has one */
  provider: Provider | null
  status: CnameStatus
  /** why, in words */
  reason: string
  /** the CNAME record's first and last sighting */
  first: number
  last: number
}

export interface CnameAuditAnswer {
  zone: string
  findings: CnameFinding[]
}

export interface CnameAuditComponents {
  backend: QueryBackend
  providers: ProviderTable
}

export function checkCnameAuditArgs(args: CnameAuditArgs): { zone: string; staleAfter: number } {
  let zone: string
  try {
    zone = normalizeName(args.zone, 'zone')
  } catch (err) {
    throw new PdnsError('ERR_BAD_ARGUMENT', (err as Error).message)
  }
  const staleAfter = args.staleAfter ?? DEFAULT_STALE_AFTER
  if (!Number.isInteger(staleAfter) || staleAfter < 1) {
    throw new PdnsError(
      'ERR_BAD_ARGUMENT',
      `--stale-after: ${args.staleAfter} (a positive duration: 30d, 12h)`,
    )
  }
  return { zone, staleAfter }
}

/** What the store says about one name along a chain. */
interface Hop {
  cnames: ResultRecord[]
  /** newest sighting of an answer other than a CNAME (null: never resolved) */
  resolved: { first: number; last: number } | null
  /** newest NXDOMAIN sighting */
  nxdomain: { first: number; last: number } | null
}

export async function cnameAudit(
  components: CnameAuditComponents,
  args: CnameAuditArgs,
  opts: CallOptions = {},
): Promise<CnameAuditAnswer> {
  const { zone, staleAfter } = checkCnameAuditArgs(args)
  const { backend, providers } = components
  const now = args.now ?? Math.floor(Date.now() / 1000)
  const call = opts.signal === undefined ? {} : { signal: opts.signal }
  const origin = args.origin === undefined ? {} : { origin: args.origin }

  // every CNAME record at or below the zone, page by page
  const cnames: ResultRecord[] = []
  let cursor: string | undefined
  for (;;) {
    const page = await backend.rrset(
      {
        name: { kind: 'below', name: zone },
        rrtype: T_CNAME,
        kinds: ['rr'],
        limit: CNAME_PAGE,
        ...origin,
        ...(cursor === undefined ? {} : { cursor }),
      },
      call,
    )
    cnames.push(...page.records)
    if (cnames.length > MAX_AUDITED_CNAMES) {
      throw new PdnsError(
        'ERR_BAD_ARGUMENT',
        `${zone} holds more than ${MAX_AUDITED_CNAMES} CNAME records: audit a zone below it`,
      )
    }
    if (page.cursor === null) break
    cursor = page.cursor
  }

  const hops = new Map<string, Promise<Hop>>()
  const hop = (name: string): Promise<Hop> => {
    let h = hops.get(name)
    if (h === undefined) {
      h = readHop(backend, name, origin, call)
      hops.set(name, h)
    }
    return h
  }

  const findings: CnameFinding[] = []
  for (const c of cnames) {
    const target = c.rdata
    const chain = [c.rrname, target]
    const seen = new Set([c.rrname])
    let end = target
    let stop: 'loop' | 'depth' | null = null
    let endHop = await hop(end)
    // follow the chain: at each name, its most recently seen CNAME
    for (;;) {
      if (seen.has(end)) {
        stop = 'loop'
        break
      }
      seen.add(end)
      if (endHop.cnames.length === 0) break
      if (chain.length > MAX_CNAME_DEPTH) {
        stop = 'depth'
        break
      }
      const next = newest(endHop.cnames).rdata
      chain.push(next)
      end = next
      endHop = await hop(end)
    }
    let provider: Provider | null = null
    for (const n of chain.slice(1)) provider = providers.classify(n) ?? provider
    const { status, reason } = judge(c, end, endHop, stop, now, staleAfter)
    findings.push({ name: c.rrname, target, chain, provider, status, reason, first: c.first, last: c.last })
  }
  const rank: Record<CnameStatus, number> = { dangling: 0, stale: 1, ok: 2 }
  findings.sort(
    (a, b) =>
      rank[a.status] - rank[b.status] ||
      b.last - a.last ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : a.target < b.target ? -1 : 1),
  )
  return { zone, findings }
}

function judge(
  c: ResultRecord,
  end: string,
  h: Hop,
  stop: 'loop' | 'depth' | null,
  now: number,
  staleAfter: number,
): { status: CnameStatus; reason: string } {
  if (stop === 'loop')
    return { status: 'dangling', reason: `the chain loops back to ${end}: it never resolves` }
  if (stop === 'depth') {
    return {
      status: 'dangling',
      reason: `the chain is longer than ${MAX_CNAME_DEPTH} names: resolvers give up on it`,
    }
  }
  const day = (t: number) => tableTime(t).slice(0, 10)
  if (
    h.nxdomain !== null &&
    h.nxdomain.last >= c.first &&
    (h.resolved === null || h.nxdomain.last > h.resolved.last)
  ) {
    return {
      status: 'dangling',
      reason: `${end} answered NXDOMAIN (last ${day(h.nxdomain.last)}) after the CNAME appeared (${day(c.first)})${h.resolved === null ? '' : `, and has not resolved since ${day(h.resolved.last)}`}`,
    }
  }
  if (h.resolved === null) {
    return { status: 'dangling', reason: `${end} was never seen resolving (no answer for it in the store)` }
  }
  const cutoff = now - staleAfter
  if (h.resolved.last < cutoff && c.last >= cutoff) {
    const days = Math.floor((now - h.resolved.last) / 86_400)
    return {
      status: 'stale',
      reason: `${end} last resolved ${day(h.resolved.last)} (${days} days ago) while the CNAME was still seen ${day(c.last)}`,
    }
  }
  return { status: 'ok', reason: `${end} resolves (last seen ${day(h.resolved.last)})` }
}

function newest(records: readonly ResultRecord[]): ResultRecord {
  let best = records[0]!
  for (const r of records) if (r.last > best.last || (r.last === best.last && r.rdata < best.rdata)) best = r
  return best
}

async function readHop(
  backend: QueryBackend,
  name: string,
  origin: { origin?: string },
  call: CallOptions,
): Promise<Hop> {
  const page = await backend.rrset(
    { name: { kind: 'exact', name }, limit: MAX_RECORDS_PER_HOP, ...origin },
    call,
  )
  const h: Hop = { cnames: [], resolved: null, nxdomain: null }
  for (const r of page.records) {
    if (r.kind === 'nxdomain') {
      if (h.nxdomain === null || r.last > h.nxdomain.last) h.nxdomain = { first: r.first, last: r.last }
    } else if (r.kind === 'rr') {
      if (r.rrtype === 'CNAME') h.cnames.push(r)
      else if (h.resolved === null || r.last > h.resolved.last) h.resolved = { first: r.first, last: r.last }
    }
  }
  return h
}
