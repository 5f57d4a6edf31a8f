/**
 * Question 3, "which names point at this IP?": the names whose A/AAAA records point into an
 * address, prefix or range, and beside them the PTR names seen for those addresses, each marked
 * where forward and reverse disagree. Two lookups: one rdata scan of the addresses, one rrset scan of
 * the reverse zone that covers them (so PTRs of addresses without any forward record show too).
 */
import type { CallOptions, ResultRecord, TimeFence } from '../query/types.ts'
import { parseIP } from '../store/ip.ts'
import {
  type AnalysisComponents,
  compareText as cmp,
  collectRdata,
  collectRrset,
  maxOf,
  minOf,
  scopeOf,
  unionSorted,
  vantagesOf,
} from './collect-pages.ts'
import { addressOfReverse, formatAddress, inRange, reverseZoneOf } from './ip-prefix.ts'
import { MAX_HISTORY_RESULTS } from './limits.ts'

const T_PTR = 12

export interface IpNamesArgs {
  /** addresses lo..hi inclusive, one family (query/parse.ts parseRdataTarget gives them) */
  lo: Uint8Array
  hi: Uint8Array
  /** the question as asked, echoed in the answer */
  query: string
  fence?: TimeFence
  origin?: string
}

interface Seen {
  name: string
  first: number
  last: number
  count: number
  vantages: string[]
}

export interface ForwardName extends Seen {
  rrtype: string
  /** a PTR of this address names it back */
  ptr: boolean
}

export interface PtrName extends Seen {
  /** an A/AAAA of this name points at this address */
  forward: boolean
}

export interface AddressView {
  address: string
  forward: ForwardName[]
  ptr: PtrName[]
  /** every forward name has its PTR and every PTR its forward record */
  agree: boolean
}

export interface IpNamesAnswer {
  query: string
  /** names pointing into the range, with first/last over their records there */
  names: (Seen & { addresses: string[] })[]
  /** per address seen (forward or reverse), in address order */
  addresses: AddressView[]
  /** a lookup was cut at MAX_HISTORY_RESULTS */
  limited: boolean
}

function seen(r: ResultRecord, name: string): Seen {
  return { name, first: r.first, last: r.last, count: r.count, vantages: vantagesOf(r) }
}

export async function ipNames(
  { backend }: AnalysisComponents,
  args: IpNamesArgs,
  { signal }: CallOptions = {},
): Promise<IpNamesAnswer> {
  const common = {
    ...scopeOf(args),
  }
  const fwd = await collectRdata(
    backend,
    { target: { kind: 'address', lo: args.lo, hi: args.hi }, ...common },
    MAX_HISTORY_RESULTS,
    { signal },
  )
  const zone = reverseZoneOf(args.lo, args.hi)
  const rev = await collectRrset(
    backend,
    {
      name: { kind: zone.exact ? 'exact' : 'below', name: zone.name },
      rrtype: T_PTR,
      kinds: ['rr'],
      ...common,
    },
    MAX_HISTORY_RESULTS,
    { signal },
  )

  // address text → its forward records and PTRs; keyed by the address bytes for ordering
  const byAddress = new Map<string, { bytes: Uint8Array; forward: ForwardName[]; ptr: PtrName[] }>()
  const entry = (bytes: Uint8Array) => {
    const key = Buffer.from(bytes).toString('hex')
    let e = byAddress.get(key)
    if (e === undefined) {
      e = { bytes, forward: [], ptr: [] }
      byAddress.set(key, e)
    }
    return e
  }
  for (const r of fwd.records) {
    if (r.kind !== 'rr' || (r.rrtype !== 'A' && r.rrtype !== 'AAAA')) continue
    const bytes = parseIP(r.rdata)
    if (bytes === null) continue
    entry(bytes).forward.push({ ...seen(r, r.rrname), rrtype: r.rrtype, ptr: false })
  }
  for (const r of rev.records) {
    const bytes = addressOfReverse(r.rrname)
    // the reverse zone is cut to whole labels, so it may hold addresses beside the range
    if (bytes === null || !inRange(bytes, args.lo, args.hi)) continue
    entry(bytes).ptr.push({ ...seen(r, r.rdata), forward: false })
  }

  const addresses: AddressView[] = []
  const names = new Map<string, { records: Seen[]; addresses: Set<string> }>()
  for (const e of [...byAddress.values()].sort((a, b) => Buffer.compare(a.bytes, b.bytes))) {
    const address = formatAddress(e.bytes)
    const ptrNames = new Set(e.ptr.map((p) => p.name))
    const fwdNames = new Set(e.forward.map((f) => f.name))
    for (const f of e.forward) f.ptr = ptrNames.has(f.name)
    for (const p of e.ptr) p.forward = fwdNames.has(p.name)
    e.forward.sort((a, b) => cmp(a.name, b.name) || cmp(a.rrtype, b.rrtype))
    e.ptr.sort((a, b) => cmp(a.name, b.name))
    addresses.push({
      address,
      forward: e.forward,
      ptr: e.ptr,
      agree: e.forward.every((f) => f.ptr) && e.ptr.every((p) => p.forward),
    })
    for (const f of e.forward) {
      let n = names.get(f.name)
      if (n === undefined) {
        n = { records: [], addresses: new Set() }
        names.set(f.name, n)
      }
      n.records.push(f)
      n.addresses.add(address)
    }
  }
  return {
    query: args.query,
    names: [...names.entries()]
      .sort((a, b) => cmp(a[0], b[0]))
      .map(([name, n]) => ({
        name,
        first: minOf(n.records.map((r) => r.first)),
        last: maxOf(n.records.map((r) => r.last)),
        count: n.records.reduce((s, r) => s + r.count, 0),
        vantages: unionSorted(n.records.map((r) => r.vantages)),
        addresses: [...n.addresses],
      })),
    addresses,
    limited: fwd.limited || rev.limited,
  }
}
