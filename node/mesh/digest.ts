/**
 * The digest of a merged store: per origin, sha256 over its records in key order (the RRSET key
 * without the node-local origin number, then the value); overall, sha256 over the sorted
 * `label digest` lines. Key order within one origin is the same on every node (the origin number,
 * which differs between nodes, ends the key), so two nodes that hold the same records with the same
 * values print the same digest, whatever order they received them in.
 */
import { createHash, type Hash } from 'node:crypto'
import { originOfKey, RRSET_RANGE } from '../store/keys.ts'
import type { Store } from '../store/store.ts'

export interface OriginDigest {
  origin: string
  records: number
  digest: string
}

export interface StoreDigest {
  digest: string
  records: number
  origins: OriginDigest[]
}

export async function storeDigest(store: Store, opts: { signal?: AbortSignal } = {}): Promise<StoreDigest> {
  const per = new Map<number, { hash: Hash; records: number }>()
  let n = 0
  for (const chunk of store.rows(RRSET_RANGE)) {
    for (let i = 0; i < chunk.length; i += 2) {
      const key = chunk[i]!
      const value = chunk[i + 1]!
      const origin = originOfKey(key)
      let d = per.get(origin)
      if (d === undefined) {
        d = { hash: createHash('sha256'), records: 0 }
        per.set(origin, d)
      }
      d.hash.update(key.subarray(0, key.length - 4))
      d.hash.update(value)
      d.records++
    }
    // a running node answers digest beside capture: yield between chunks
    n += chunk.length
    if (n >= 65536) {
      n = 0
      opts.signal?.throwIfAborted()
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  const origins = [...per.entries()]
    .map(([id, d]) => ({ origin: store.originLabel(id), records: d.records, digest: d.hash.digest('hex') }))
    .sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0))
  const all = createHash('sha256')
  let records = 0
  for (const o of origins) {
    all.update(`${o.origin} ${o.digest}\n`)
    records += o.records
  }
  return { digest: all.digest('hex'), records, origins }
}
