/** A real Store with hand-built records and a LocalBackend over it, for the analysis tests of lookalikes and cname-audit. */

import { typeNumber } from '../../../node/dns/constants.ts'
import { LocalBackend } from '../../../node/query/local.ts'
import type { RecordKind } from '../../../node/store/keys.ts'
import { Store } from '../../../node/store/store.ts'
import { tempDir } from '../../store/helpers.ts'

export interface Row {
  name: string
  type: string
  rdata?: string
  kind?: RecordKind
  first: number
  last: number
  origin?: string
}

export async function storeWith(
  rows: readonly Row[],
): Promise<{ backend: LocalBackend; store: Store; cleanup: () => Promise<void> }> {
  const tmp = tempDir('analysis')
  const store = await Store.open(tmp.dir, { create: true })
  store.apply(
    rows.map((r) => ({
      id: {
        kind: r.kind ?? 'rr',
        rrname: r.name,
        rrtype: typeNumber(r.type)!,
        bailiwick: null,
        rdata: r.kind === undefined || r.kind === 'rr' ? (r.rdata ?? '') : '',
        origin: store.originId(r.origin ?? 'cof:a'),
      },
      value: { first: r.first, last: r.last, count: 1 },
      mode: 'max' as const,
    })),
  )
  const backend = LocalBackend.over(store, null)
  return {
    backend,
    store,
    cleanup: async () => {
      await store.close()
      tmp.cleanup()
    },
  }
}

export const DAY = 86_400
/** a fixed "now" (2026-12-01) so that no assertion depends on the clock */
export const NOW = 1_796_083_200
