/**
 * The benchmark hook of `pdns-mesh new` for `npm run bench:questions` (the harness builds the
 * 10 M-record store and prints the table): times newNames on a backend over that store, for the
 * windows a user would ask (the last hour, day, week before `now`), each run `rounds` times after
 * one warm-up run. Numbers, never assertions.
 */
import { performance } from 'node:perf_hooks'
import type { QueryBackend } from '../../../node/query/types.ts'

export interface NewBenchOptions {
  /** the store's "now": windows end here (a synthetic store's newest first_seen) */
  now: number
  /** window lengths before `now`, seconds (default an hour, a day, a week) */
  windows?: readonly number[]
  /** names per call (default 100: a page a user reads) */
  limit?: number
  /** timed runs per window (default 50) */
  rounds?: number
}

export interface NewBenchRow {
  question: 'new'
  args: string
  p50Ms: number
  p99Ms: number
  /** names the call returned (the same every run) */
  names: number
}

const DEFAULT_WINDOWS = [3600, 86_400, 7 * 86_400]

export async function benchNew(backend: QueryBackend, options: NewBenchOptions): Promise<NewBenchRow[]> {
  const limit = options.limit ?? 100
  const rounds = options.rounds ?? 50
  const rows: NewBenchRow[] = []
  for (const window of options.windows ?? DEFAULT_WINDOWS) {
    const q = { since: options.now - window, limit }
    const names = (await backend.newNames(q)).names.length
    const ms: number[] = []
    for (let i = 0; i < rounds; i++) {
      const t = performance.now()
      await backend.newNames(q)
      ms.push(performance.now() - t)
    }
    ms.sort((a, b) => a - b)
    const at = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!
    rows.push({
      question: 'new',
      args: `--since -${window}s --limit ${limit}`,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      names,
    })
  }
  return rows
}
