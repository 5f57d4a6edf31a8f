/**
 * The TTLs of records as queries return them (schema v2): per record, the min and max TTL over the
 * TTL entries of its vantages, or null when none has one. Only the node's own observations carry a
 * TTL (peers' copies and COF imports do not, nor records older than v2), so null is common and says
 * "not known", never "zero". One multi-get for the whole list.
 */
import { typeNumber } from '../dns/constants.ts'
import { rrsetKey, ttlKey } from '../store/keys.ts'
import type { Store } from '../store/store.ts'
import { decodeTtl, mergeTtl, type TtlRange } from '../store/ttl.ts'
import type { ResultRecord } from './types.ts'

export function recordTtls(store: Store, records: readonly ResultRecord[]): (TtlRange | null)[] {
  const keys: Buffer[] = []
  const owner: number[] = []
  records.forEach((r, i) => {
    const rrtype = typeNumber(r.rrtype)
    if (rrtype === null) return
    for (const v of r.vantages) {
      const origin = store.findOrigin(v.origin)
      if (origin === undefined) continue
      const id = { kind: r.kind, rrname: r.rrname, rrtype, bailiwick: r.bailiwick, rdata: r.rdata, origin }
      keys.push(ttlKey(rrsetKey(id)))
      owner.push(i)
    }
  })
  const out: (TtlRange | null)[] = records.map(() => null)
  const got = keys.length === 0 ? [] : store.getMany(keys)
  for (let k = 0; k < got.length; k++) {
    const raw = got[k]
    const t = raw === undefined ? null : decodeTtl(raw)
    if (t === null) continue
    const i = owner[k]!
    out[i] = mergeTtl(out[i] ?? null, t)
  }
  return out
}
