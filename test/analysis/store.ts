/** A real Store in a temp directory with hand-built records, read through LocalBackend as the CLI would. */
import { typeNumber } from '../../node/dns/constants.ts'
import { LocalBackend } from '../../node/query/local.ts'
import { Store } from '../../node/store/store.ts'
import { tempDir } from '../store/helpers.ts'

export interface Rec {
  rrname: string
  rrtype: string
  rdata: string
  first: number
  last: number
  count?: number
  bailiwick?: string | null
  origin?: string
  /** min/max TTL of the store's own observations (schema v2 TTL entries) */
  ttl?: { min: number; max: number }
}

export interface TestStore {
  backend: LocalBackend
  close(): Promise<void>
}

export async function storeWith(records: readonly Rec[], name = 'analysis'): Promise<TestStore> {
  const tmp = tempDir(name)
  const store = await Store.open(tmp.dir, { create: true })
  store.apply(
    records.map((r) => ({
      id: {
        kind: 'rr' as const,
        rrname: r.rrname,
        rrtype: typeNumber(r.rrtype)!,
        bailiwick: r.bailiwick ?? null,
        rdata: r.rdata,
        origin: store.originId(r.origin ?? 'east'),
      },
      value: { first: r.first, last: r.last, count: r.count ?? 1 },
      mode: 'add' as const,
      ...(r.ttl === undefined ? {} : { ttl: r.ttl }),
    })),
  )
  return {
    backend: LocalBackend.over(store, null),
    async close() {
      await store.close()
      tmp.cleanup()
    },
  }
}
