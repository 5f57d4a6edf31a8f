import { isPdnsError, PdnsError } from '../../errors.ts'
import type { CheckProblem, CheckProgress, CheckResult } from '../../store/check/index.ts'
import { MAX_CHECK_PROBLEMS_LISTED } from '../../store/limits.ts'
import { parseCliArgs } from '../args.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, dataDirOf } from '../backend.ts'
import type { Command } from '../command.ts'
import { formatRate, RedrawnLine } from '../output/progress.ts'
import { renderTable } from '../output/table.ts'

/** Problems listed by default; the rest are counted per kind. */
const DEFAULT_LISTED = 20
/** Stores with fewer keys than this (RocksDB's estimate) are checked in about a second: no progress line. */
const PROGRESS_MIN_KEYS = 100_000
const REDRAW_EVERY_MS = 200

const HELP = `Usage: pdns-mesh check [options]

Checks the integrity of the database of a data directory: every record and its value decode, every
answer has its RDATA index entry with the same value, every (name, type) its FWD entry, every record
exactly one SEEN entry at its last_seen and one FIRST entry at its first_seen (schema v2), every TTL
entry a readable range of an existing record; no index entry points at a missing record; every origin a
record names is registered; the schema version is there. The database is read, never written, in
bounded memory (it streams in key order); a progress line shows on a terminal for large stores.

A running node (or an import) holds the database: stop it first.

Options:
  --data DIR            data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})
  --format F            text or json (default text); json prints one object on stdout
  --list N              problems listed in full (default ${DEFAULT_LISTED}, at most ${MAX_CHECK_PROBLEMS_LISTED}); all are counted
  --no-progress         no progress line even on a terminal
  -h, --help            this help

Exit status: 0 when the database is consistent; 1 when problems were found (ERR_DB_INTEGRITY, the
first ones listed), or the database is missing, held by another process or written by a newer
pdns-mesh; 2 on bad usage; 128 + the signal number when interrupted.
`

export const checkCommand: Command = {
  name: 'check',
  help: HELP,
  async run(args, { signal }) {
    const { values, positionals } = parseCliArgs(args, {
      data: { type: 'string' },
      format: { type: 'string' },
      list: { type: 'string' },
      'no-progress': { type: 'boolean' },
    })
    if (positionals.length > 0) {
      throw new PdnsError('ERR_BAD_ARGUMENT', `check takes no arguments (got '${positionals[0]}')`)
    }
    const format = values.format ?? 'text'
    if (format !== 'text' && format !== 'json') {
      throw new PdnsError('ERR_BAD_ARGUMENT', `--format: '${format}' (text or json)`)
    }
    const listed = values.list === undefined ? DEFAULT_LISTED : Number(values.list)
    if (!/^\d+$/.test(values.list ?? '0') || listed > MAX_CHECK_PROBLEMS_LISTED) {
      throw new PdnsError(
        'ERR_BAD_ARGUMENT',
        `--list: '${values.list}' is not a number from 0 to ${MAX_CHECK_PROBLEMS_LISTED}`,
      )
    }
    const dataDir = dataDirOf(values.data)
    const progress =
      !values['no-progress'] && process.stderr.isTTY === true ? new ProgressLine(process.stderr) : null
    // loaded on demand: other commands start without the checker
    const { checkDataDir } = await import('../../store/check/index.ts')
    let result: CheckResult
    try {
      result = await checkDataDir(dataDir, {
        signal,
        maxListed: listed,
        ...(progress === null ? {} : { onProgress: (p: CheckProgress) => progress.update(p) }),
      })
    } catch (err) {
      if (isPdnsError(err) && err.code === 'ERR_ABORTED' && signal.aborted) {
        process.stderr.write('pdns-mesh check: interrupted; nothing was judged\n')
        return 1
      }
      throw err
    } finally {
      progress?.clear()
    }
    process.stdout.write(
      format === 'json'
        ? `${JSON.stringify({ dataDir, error: result.problems === 0 ? null : 'ERR_DB_INTEGRITY', ...result })}\n`
        : summaryText(dataDir, result),
    )
    if (result.problems === 0) return 0
    const kinds = Object.entries(result.byKind)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ')
    const first = result.listed[0]
    throw new PdnsError(
      'ERR_DB_INTEGRITY',
      `${result.problems} problem${result.problems === 1 ? '' : 's'} in ${dataDir} (${kinds})` +
        (first === undefined ? '' : `; first: ${first.kind}: ${first.message}`),
    )
  },
}

function summaryText(dataDir: string, r: CheckResult): string {
  const c = r.counts
  const head = renderTable(null, [
    ['data directory', dataDir],
    ['records', `${c.records} (negative answers ${c.negatives})`],
    ['names', `${c.names} (name and type pairs)`],
    ['rdata index', String(c.rdata)],
    ['name index', String(c.fwd)],
    ['last-seen index', String(c.seen)],
    ['first-seen index', String(c.first)],
    ['TTL entries', String(c.ttl)],
    ['origins', String(c.origins)],
    ['problems', r.problems === 0 ? 'none' : String(r.problems)],
  ])
  if (r.problems === 0) return `${head}\n`
  const kinds = renderTable(
    ['problem', 'count'],
    Object.entries(r.byKind).map(([kind, n]) => [kind, String(n)]),
  )
  const more = r.problems - r.listed.length
  const list = r.listed.map((p) => `  ${problemLine(p)}`).join('\n')
  const tail =
    r.listed.length === 0
      ? ''
      : `\nfirst ${r.listed.length}:\n${list}\n${more > 0 ? `  … and ${more} more (--list N shows more)\n` : ''}`
  return `${head}\n\n${kinds}\n${tail}`
}

function problemLine(p: CheckProblem): string {
  return `${p.kind}: ${p.message} [key ${p.key.length > 80 ? `${p.key.slice(0, 80)}…` : p.key}]`
}

/** One line on a terminal, redrawn as the check goes: phase, entries, share of RocksDB's estimate. */
class ProgressLine {
  readonly #line: RedrawnLine

  constructor(out: NodeJS.WriteStream) {
    this.#line = new RedrawnLine(out, REDRAW_EVERY_MS)
  }

  update(p: CheckProgress): void {
    if (p.estimatedTotal < PROGRESS_MIN_KEYS) return
    const elapsed = this.#line.due()
    if (elapsed === null) return
    // the estimate can fall short of the real count: never show more than 99 % before the end
    const pct = Math.min(99, Math.floor((p.scanned / p.estimatedTotal) * 100))
    const rate = p.scanned / Math.max(1e-3, elapsed)
    this.#line.draw(
      `check: ${p.phase.padEnd(7)} ${p.scanned} of ~${p.estimatedTotal} entries (${pct}%, ${formatRate(rate)}/s)`,
    )
  }

  clear(): void {
    this.#line.clear()
  }
}
