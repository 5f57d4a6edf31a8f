/**
 * What the history commands (ip, ns-history, ip-history, flux) share on the command line: the data
 * directory, the vantage, time fences, --mesh, --asn-table and --format; every value is checked before
 * anything is read, so bad input exits 2 with one message.
 */

import { AsnTable } from '../../analysis/asn-table.ts'
import type { AnalysisComponents } from '../../analysis/collect-pages.ts'
import { PdnsError } from '../../errors.ts'
import { CLI_FENCE, checkFence } from '../../query/fence.ts'
import { tableTime } from '../../query/format/table.ts'
import { parseTime } from '../../query/time.ts'
import type { QueryBackend, TimeFence } from '../../query/types.ts'
import { parseCliArgs } from '../args.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, dataDirOf, openBackend } from '../backend.ts'
import { MeshBackend, reportMeshPeers } from '../mesh-backend.ts'
import { parseMeshTimeoutOption } from '../query-options.ts'
import { joinRelativeTimes, output } from './query.ts'

export const FENCE_OPTIONS = ['first-after', 'first-before', 'last-after', 'last-before'] as const

export const COMMON_HELP = `  --data DIR            data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})
  --origin LABEL        only what this vantage saw (an origin label, see pdns-mesh stats)
  --mesh                ask the running node's mesh: every lookup is fanned out to its connected peers
                        and merged record by record (one page per lookup)
  --mesh-timeout S      seconds each peer has to answer (default 10)
  --format F            table or json (default: table on a terminal, else json)
  -h, --help            this help`

export const FENCE_HELP = `  --first-after T       only records first seen at or after T   --first-before T  … at or before T
  --last-after T        only records last seen at or after T    --last-before T   … at or before T
                        T: epoch seconds, ISO 8601 (2026-01-31) or relative to now (-7d, -12h)`

type Spec = Parameters<typeof parseCliArgs>[1]

const COMMON: Spec = {
  data: { type: 'string' },
  origin: { type: 'string' },
  mesh: { type: 'boolean' },
  'mesh-timeout': { type: 'string' },
  format: { type: 'string' },
}

export interface HistoryCli {
  values: Record<string, string | boolean | undefined>
  positionals: string[]
  dataDir: string
  format: 'table' | 'json'
  origin: string | undefined
  mesh: { timeoutMs: number | undefined } | null
}

/** Parses `args` with the common options plus `extra`; `timeOptions` are those that take relative times. */
export function parseHistoryArgs(args: string[], extra: Spec, timeOptions: readonly string[]): HistoryCli {
  const joined = joinRelativeTimes(args, new Set(timeOptions.map((o) => `--${o}`)))
  const { values, positionals } = parseCliArgs(joined, { ...COMMON, ...extra })
  const v = values as Record<string, string | boolean | undefined>
  const format = (v.format as string | undefined) ?? (process.stdout.isTTY === true ? 'table' : 'json')
  if (format !== 'table' && format !== 'json') {
    throw new PdnsError('ERR_BAD_ARGUMENT', `--format: '${format}' (table or json)`)
  }
  const timeoutMs = parseMeshTimeoutOption(v['mesh-timeout'] as string | undefined, v.mesh === true)
  const mesh: HistoryCli['mesh'] = v.mesh === true ? { timeoutMs } : null
  return {
    values: v,
    positionals,
    dataDir: dataDirOf(v.data as string | undefined),
    format,
    origin: v.origin as string | undefined,
    mesh,
  }
}

/** Exactly one positional, or ERR_BAD_ARGUMENT naming what is missing. */
export function onePositional(cli: HistoryCli, what: string): string {
  if (cli.positionals.length !== 1) {
    throw new PdnsError(
      'ERR_BAD_ARGUMENT',
      cli.positionals.length === 0
        ? `${what} is missing (see --help)`
        : `one ${what} expected, got ${cli.positionals.length}`,
    )
  }
  return cli.positionals[0]!
}

/** A time option's value, or undefined; ERR_BAD_QUERY naming the option. */
export function timeOption(cli: HistoryCli, option: string, now: number): number | undefined {
  const text = cli.values[option]
  if (typeof text !== 'string') return undefined
  try {
    return parseTime(text, now)
  } catch (err) {
    if (err instanceof PdnsError) throw new PdnsError(err.code, `--${option}: ${err.message}`)
    throw err
  }
}

/** The DNSDB fences given, refusing a range no record could satisfy. */
export function fenceOf(cli: HistoryCli, now: number): TimeFence | undefined {
  const fence: TimeFence = {}
  const fa = timeOption(cli, 'first-after', now)
  const fb = timeOption(cli, 'first-before', now)
  const la = timeOption(cli, 'last-after', now)
  const lb = timeOption(cli, 'last-before', now)
  if (fa !== undefined) fence.firstAfter = fa
  if (fb !== undefined) fence.firstBefore = fb
  if (la !== undefined) fence.lastAfter = la
  if (lb !== undefined) fence.lastBefore = lb
  if (Object.keys(fence).length === 0) return undefined
  checkFence(fence, CLI_FENCE)
  return fence
}

/** The table loaded before any lookup (a bad file is ERR_BAD_ARGUMENT: nothing read). */
export async function asnTableOf(cli: HistoryCli): Promise<AsnTable | undefined> {
  const path = cli.values['asn-table']
  return typeof path === 'string' ? await AsnTable.load(path) : undefined
}

/** Runs `fn` on the store, the running node or (--mesh) the mesh, closing it afterwards. */
export async function withHistoryBackend<T>(
  cli: HistoryCli,
  signal: AbortSignal,
  fn: (backend: QueryBackend) => Promise<T>,
): Promise<T> {
  const backend =
    cli.mesh === null
      ? await openBackend(cli.dataDir, { signal })
      : await MeshBackend.open(cli.dataDir, {
          signal,
          ...(cli.mesh.timeoutMs === undefined ? {} : { timeoutMs: cli.mesh.timeoutMs }),
        })
  try {
    const out = await fn(backend)
    reportMeshPeers(backend)
    return out
  } finally {
    await backend.close()
  }
}

/**
 * Runs an analysis on the backend of `cli` and prints its answer: the JSON as one line, or the
 * table `render` draws.
 */
export async function answerWith<T>(
  cli: HistoryCli,
  signal: AbortSignal,
  analysis: (components: AnalysisComponents, opts: { signal: AbortSignal }) => Promise<T>,
  render: (answer: T) => string,
): Promise<number> {
  const answer = await withHistoryBackend(cli, signal, (backend) => analysis({ backend }, { signal }))
  return await output([cli.format === 'json' ? JSON.stringify(answer) : render(answer)])
}

/** `2026-01-31 12:00:00`, UTC. */
export function utc(t: number): string {
  return tableTime(t)
}

/** A date range for a table cell. */
export function span(first: number, last: number): string {
  return `${utc(first)} → ${utc(last)}`
}
