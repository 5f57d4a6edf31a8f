import {
  DEFAULT_LOOKALIKE_DISTANCE,
  DEFAULT_LOOKALIKE_LIMIT,
  MAX_LOOKALIKE_DISTANCE,
  MAX_LOOKALIKE_LIMIT,
} from '../../analysis/lookalikes/limits.ts'
import { checkLookalikesArgs, type LookalikesArgs, lookalikes } from '../../analysis/lookalikes/lookalikes.ts'
import { builtinLists, readWordList } from '../../analysis/lookalikes/permutations.ts'
import { PdnsError } from '../../errors.ts'
import { tableTime } from '../../query/format/table.ts'
import { parseTime } from '../../query/time.ts'
import type { QueryBackend } from '../../query/types.ts'
import { parseCliArgs } from '../args.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, dataDirOf, openBackend } from '../backend.ts'
import type { Command } from '../command.ts'
import { MeshBackend, reportMeshPeers } from '../mesh-backend.ts'
import { LineWriter } from '../output/line-writer.ts'
import { renderTable } from '../output/table.ts'
import { parseMeshTimeoutOption } from '../query-options.ts'
import { joinRelativeTimes, throwOnOutputError } from './query.ts'

const HELP = `Usage: pdns-mesh lookalikes DOMAIN [options]

Registered domains in the passive DNS database that imitate DOMAIN (a brand: paypal.com, münchen.de),
newest first. Found two ways: dnstwist's permutations of DOMAIN (omission, insertion, repetition,
keyboard replacement, transposition, vowel swap, addition, hyphenation, bitsquatting, homoglyphs and
Cyrillic look-alikes under punycode, plural, dictionary words, TLD swap, subdomain) looked up
exactly, and a scan of every registered domain held for the brand inside another label (contains),
a small Damerau-Levenshtein distance (distance), the same Unicode TR39 confusable skeleton
(skeleton) or the brand's label under another suffix (tld-swap).

Options:
  --since T             only look-alikes last seen at or after T (epoch seconds, ISO 8601, -30d…)
  --max-distance K      edits the distance scan accepts (default ${DEFAULT_LOOKALIKE_DISTANCE}, at most ${MAX_LOOKALIKE_DISTANCE})
  --limit N             at most N look-alikes (default ${DEFAULT_LOOKALIKE_LIMIT}, at most ${MAX_LOOKALIKE_LIMIT})
  --dictionary FILE     words for the dictionary technique (default: the built-in list)
  --tlds FILE           TLDs for the TLD swap (default: the built-in list)
  --origin LABEL        only what this vantage saw
  --data DIR            data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})
  --mesh                look the permutations up across the running node's mesh peers too
  --mesh-timeout S      seconds each peer has to answer (default 10)
  --format F            table or json (default: table on a terminal, else json)

JSON: {"brand": D, "candidates": [{"name", "techniques", "distance", "first", "last", "resolves",
"vantages"}]}; resolves: A, AAAA, MX or NS answers were seen at or below the name.

Exit status: 0 (also when nothing matched); 2 on a bad domain or option (nothing is read); 1 when
the database is missing or held by another process, or output failed.
`

/** The time options whose relative values (`-7d`) start with a dash. */
const SINCE = new Set(['--since'])

export const lookalikesCommand: Command = {
  name: 'lookalikes',
  help: HELP,
  async run(args, { signal }) {
    const { values, positionals } = parseCliArgs(joinRelativeTimes(args, SINCE), {
      since: { type: 'string' },
      'max-distance': { type: 'string' },
      limit: { type: 'string' },
      dictionary: { type: 'string' },
      tlds: { type: 'string' },
      origin: { type: 'string' },
      data: { type: 'string' },
      mesh: { type: 'boolean' },
      'mesh-timeout': { type: 'string' },
      format: { type: 'string' },
    })
    if (positionals.length !== 1) {
      throw new PdnsError(
        'ERR_BAD_ARGUMENT',
        positionals.length === 0
          ? 'lookalikes: the brand DOMAIN is missing (see --help)'
          : 'lookalikes: one DOMAIN expected',
      )
    }
    const format = formatOf(values.format)
    const a: LookalikesArgs = { domain: positionals[0]! }
    if (values.since !== undefined) a.since = timeOption('since', values.since)
    if (values['max-distance'] !== undefined)
      a.maxDistance = intOption('max-distance', values['max-distance'])
    if (values.limit !== undefined) a.limit = intOption('limit', values.limit)
    if (values.origin !== undefined) a.origin = values.origin
    if (values.dictionary !== undefined || values.tlds !== undefined) {
      const b = builtinLists()
      a.words = values.dictionary === undefined ? b.words : readWordList(values.dictionary, '--dictionary')
      a.tlds = values.tlds === undefined ? b.tlds : readWordList(values.tlds, '--tlds')
    }
    checkLookalikesArgs(a)
    const dataDir = dataDirOf(values.data)
    const timeoutMs = parseMeshTimeoutOption(values['mesh-timeout'], values.mesh === true)
    return await withQuestionBackend(dataDir, values.mesh === true, timeoutMs, signal, async (backend) => {
      const answer = await lookalikes({ backend, exactLookups: values.mesh === true }, a, { signal })
      if (format === 'json') return [JSON.stringify(answer)]
      if (answer.candidates.length === 0) return [`no look-alikes of ${answer.brand} in the store`]
      const rows = answer.candidates.map((c) => [
        tableTime(c.last),
        tableTime(c.first),
        c.resolves ? 'yes' : 'no',
        String(c.distance),
        c.vantages.length === 1 ? c.vantages[0]! : String(c.vantages.length),
        c.name,
        c.techniques.join(', '),
      ])
      return [
        renderTable(
          ['last seen (UTC)', 'first seen (UTC)', 'resolves', 'edits', 'vantages', 'name', 'found by'],
          rows,
        ),
      ]
    })
  },
}

// ---------------------------------------------------------------- shared by the question commands of this part

export function formatOf(text: string | undefined): 'table' | 'json' {
  const format = text ?? (process.stdout.isTTY === true ? 'table' : 'json')
  if (format !== 'table' && format !== 'json') {
    throw new PdnsError('ERR_BAD_ARGUMENT', `--format: '${format}' (table or json)`)
  }
  return format
}

export function intOption(option: string, text: string): number {
  if (!/^[0-9]{1,9}$/.test(text))
    throw new PdnsError('ERR_BAD_ARGUMENT', `--${option}: '${text}' is not an integer`)
  return Number(text)
}

export function timeOption(option: string, text: string, now = Math.floor(Date.now() / 1000)): number {
  try {
    return parseTime(text, now)
  } catch (err) {
    if (err instanceof PdnsError) throw new PdnsError('ERR_BAD_ARGUMENT', `--${option}: ${err.message}`)
    throw err
  }
}

/** Runs a question over the store's backend (or the mesh's), writes its lines, closes the backend. */
export async function withQuestionBackend(
  dataDir: string,
  mesh: boolean,
  timeoutMs: number | undefined,
  signal: AbortSignal,
  fn: (backend: QueryBackend) => Promise<string[]>,
): Promise<number> {
  const backend: QueryBackend = mesh
    ? await MeshBackend.open(dataDir, { signal, ...(timeoutMs === undefined ? {} : { timeoutMs }) })
    : await openBackend(dataDir, { signal })
  try {
    const lines = await fn(backend)
    const writer = new LineWriter(process.stdout)
    for (const l of lines) writer.write(l)
    await writer.end()
    throwOnOutputError(writer)
    reportMeshPeers(backend)
    return 0
  } finally {
    await backend.close()
  }
}
