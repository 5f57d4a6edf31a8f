/**
 * Benchmark hook for the history questions (ip, ns-history, ip-history, flux): times each command's
 * engine function on a given backend, the same functions the CLI and the HTTP API call. The
 * harness that builds the 10 M-record store picks the typical arguments (names, prefixes, zones)
 * from what it wrote and prints the numbers; nothing here asserts.
 *
 *   import { benchHistory } from './questions/history.ts'
 *   const r = await benchHistory(backend, { names: [...], domains: [...], prefixes: [...], zones: [...] })
 *
 * Run alone on a data directory (small samples, for a quick look):
 *   node scripts/bench/questions/history.ts --data DIR NAME… [--rounds N]
 */
import { fluxRank } from '../../../node/analysis/flux-rank.ts'
import { ipHistory } from '../../../node/analysis/ip-history.ts'
import { ipNames } from '../../../node/analysis/ip-names.ts'
import { nsHistory } from '../../../node/analysis/ns-history.ts'
import { parseRdataTarget } from '../../../node/query/parse.ts'
import type { QueryBackend } from '../../../node/query/types.ts'

export interface HistoryBenchArgs {
  /** FQDNs with A/AAAA history (ip-history) */
  names: readonly string[]
  /** domains with NS history (ns-history) */
  domains: readonly string[]
  /** addresses, CIDRs or ranges (ip) */
  prefixes: readonly string[]
  /** zones to rank under (flux --under); each is one heavier scan */
  zones: readonly string[]
  /** passes over the arguments (default 3); the first pass is warm-up and not timed */
  rounds?: number
}

export interface Timing {
  command: string
  runs: number
  p50_ms: number
  p99_ms: number
  max_ms: number
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

async function time(
  command: string,
  args: readonly string[],
  rounds: number,
  run: (arg: string) => Promise<unknown>,
): Promise<Timing> {
  const ms: number[] = []
  for (let r = 0; r < rounds; r++) {
    for (const a of args) {
      const t0 = performance.now()
      await run(a)
      if (r > 0) ms.push(performance.now() - t0)
    }
  }
  ms.sort((a, b) => a - b)
  const round3 = (x: number) => Math.round(x * 1000) / 1000
  return {
    command,
    runs: ms.length,
    p50_ms: round3(quantile(ms, 0.5)),
    p99_ms: round3(quantile(ms, 0.99)),
    max_ms: round3(ms[ms.length - 1] ?? 0),
  }
}

/** p50/p99 of each history command over the given arguments on `backend`. */
export async function benchHistory(backend: QueryBackend, a: HistoryBenchArgs): Promise<Timing[]> {
  const rounds = Math.max(2, a.rounds ?? 3)
  const c = { backend }
  return [
    await time('ip-history', a.names, rounds, (name) => ipHistory(c, { name })),
    await time('ns-history', a.domains, rounds, (domain) => nsHistory(c, { domain })),
    await time('ip', a.prefixes, rounds, (p) => {
      const t = parseRdataTarget(p)
      if (t.kind !== 'address') throw new Error(`not an address, CIDR or range: ${p}`)
      return ipNames(c, { lo: t.lo, hi: t.hi, query: p })
    }),
    await time('flux --under', a.zones, rounds, (under) => fluxRank(c, { under, limit: 50 })),
  ]
}

if (import.meta.main) {
  const { parseArgs } = await import('node:util')
  const { LocalBackend } = await import('../../../node/query/local.ts')
  const { values, positionals } = parseArgs({
    options: { data: { type: 'string' }, rounds: { type: 'string' } },
    allowPositionals: true,
  })
  if (values.data === undefined || positionals.length === 0) {
    process.stderr.write('usage: node scripts/bench/questions/history.ts --data DIR NAME… [--rounds N]\n')
    process.exit(2)
  }
  const backend = await LocalBackend.open(values.data)
  try {
    const zones = [...new Set(positionals.map((n) => n.split('.').slice(-2).join('.')))]
    const timings = await benchHistory(backend, {
      names: positionals,
      domains: zones,
      prefixes: [],
      zones,
      rounds: values.rounds === undefined ? 3 : Number(values.rounds),
    })
    for (const t of timings) process.stdout.write(`${JSON.stringify(t)}\n`)
  } finally {
    await backend.close()
  }
}
