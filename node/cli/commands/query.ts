import {
  DEFAULT_ACTIVE_WITHIN_SECONDS,
  freshness,
  parseDuration,
  renderFreshSummary,
} from '../../analysis/index.ts'
import { RemoteBackend } from '../../api/client.ts'
import { encodeRdataQuery, encodeRrsetQuery } from '../../api/wire.ts'
import { PdnsError } from '../../errors.ts'
import type { MeshAnswer } from '../../mesh/mesh.ts'
import { CLI_FENCE, checkFence } from '../../query/fence.ts'
import { isRecordFormat, RECORD_FORMATS, RecordPrinter } from '../../query/format/index.ts'
import {
  normalizeName,
  parseNamePattern,
  parseRawHex,
  parseRdataTarget,
  parseType,
} from '../../query/parse.ts'
import {
  DEFAULT_LIMIT,
  type NameSummary,
  type Page,
  type QueryBackend,
  type RdataQuery,
  type RrsetQuery,
  type TimeFence,
} from '../../query/types.ts'
import { parseCliArgs } from '../args.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, dataDirOf, openBackend } from '../backend.ts'
import type { Command } from '../command.ts'
import { LineWriter } from '../output/line-writer.ts'
import { parseLimitOption, parseMeshTimeoutOption, parseTimeOption } from '../query-options.ts'

const HELP = `Usage: pdns-mesh query rrset NAME [options]
       pdns-mesh query rdata IP|CIDR|RANGE|NAME [options]
       pdns-mesh query rdata --raw HEX [options]
       pdns-mesh query name NAME [--data DIR] [--origin LABEL] [--active-within SPAN] [--format table|json]

Looks records up in the passive DNS database, as DNSDB does:
  rrset NAME     records owned by NAME; NAME may be *.example.com (it and every name below),
                 +.example.com (one label below) or www.example.* (names that start so)
  rdata VALUE    records whose rdata is an address (192.0.2.1, 2001:db8::1), in a prefix
                 (10.0.0.0/8, also DNSDB's 10.0.0.0,8), in a range (192.0.2.10-192.0.2.20), or names a
                 host (ns1.example.com, or *.example.com for any host below); --raw HEX gives the
                 rdata as bytes
  name NAME      a summary of NAME: first and last seen, counts per type and per vantage, whether it
                 is active (last seen within --active-within) and its age in days since first seen

Results go to stdout. When --limit cuts a result short, stderr says how to get the next page
(next: --cursor ...).

Options:
  --data DIR            data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})
  --type T              only this record type (A, NS, TYPE65…; ANY: every type)
  --bailiwick ZONE      only records whose bailiwick is ZONE (rrset)
  --first-after T       first seen at or after T       --first-before T   first seen at or before T
  --last-after T        last seen at or after T        --last-before T    last seen at or before T
                        T: epoch seconds, ISO 8601 (2026-01-31, 2026-01-31T12:00:00Z, with an offset),
                        or relative to now: -7d, -12h, -30m, -45s, -2w, -86400 (seconds)
  --origin LABEL        only what this vantage saw (an origin label, see pdns-mesh stats)
  --active-within SPAN  name: active when last seen within SPAN of now (default 7d; 3600, 12h, 1w2d)
  --limit N             at most N records (default ${DEFAULT_LIMIT})
  --cursor C            the next page of the same query
  --mesh                ask the running node to fan the query out to its connected mesh peers and
                        merge their answers record by record (every vantage listed); which peers
                        answered, failed or timed out goes to stderr (and into the JSON with
                        --format json). Pages do not continue across the mesh: no --cursor.
  --mesh-timeout S      seconds each peer has to answer (default 10)
  --format F            table, json (every field) or cof (draft-dulaunoy-dnsop-passive-dns-cof);
                        default: table on a terminal, else cof (name: table, else json)
  -h, --help            this help

Exit status: 0 (also when nothing matched); 2 on a bad name, address, prefix, range, type, time,
cursor or option (nothing is read); 1 when the database is missing, held by another process (a
running node, an import) or written by a newer pdns-mesh, or output failed.
`

const SUBCOMMANDS = ['rrset', 'rdata', 'name']

export const queryCommand: Command = {
  name: 'query',
  help: HELP,
  async run(args, { signal }) {
    const { values, positionals } = parseCliArgs(joinRelativeTimes(args), {
      data: { type: 'string' },
      type: { type: 'string' },
      bailiwick: { type: 'string' },
      'first-after': { type: 'string' },
      'first-before': { type: 'string' },
      'last-after': { type: 'string' },
      'last-before': { type: 'string' },
      origin: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      format: { type: 'string' },
      raw: { type: 'string' },
      mesh: { type: 'boolean' },
      'mesh-timeout': { type: 'string' },
      'active-within': { type: 'string' },
    })
    const [sub, ...rest] = positionals
    if (sub === undefined || !SUBCOMMANDS.includes(sub)) {
      throw new PdnsError(
        'ERR_BAD_ARGUMENT',
        sub === undefined
          ? 'say what to look up: query rrset NAME, query rdata VALUE or query name NAME (see --help)'
          : `unknown query '${sub}' (rrset, rdata or name)`,
      )
    }
    const notFor = (options: string[]) => {
      for (const o of options) {
        if ((values as Record<string, unknown>)[o] !== undefined) {
          throw new PdnsError('ERR_BAD_ARGUMENT', `--${o} does not apply to query ${sub}`)
        }
      }
    }
    const wantOne = sub !== 'rdata' || values.raw === undefined
    if (rest.length !== (wantOne ? 1 : 0)) {
      throw new PdnsError(
        'ERR_BAD_ARGUMENT',
        rest.length === 0
          ? `query ${sub}: what to look up is missing (see --help)`
          : `query ${sub}: one ${wantOne ? 'value' : 'value (--raw or a positional, not both)'} expected, got ${rest.length}`,
      )
    }
    const dataDir = dataDirOf(values.data)
    const mesh = values.mesh === true
    const timeoutMs = parseMeshTimeoutOption(values['mesh-timeout'], mesh)
    if (mesh && values.cursor !== undefined) {
      throw new PdnsError(
        'ERR_BAD_ARGUMENT',
        '--cursor does not apply to --mesh queries (pages are per node)',
      )
    }

    if (sub !== 'name') notFor(['active-within'])
    if (sub === 'name') {
      notFor(['type', 'bailiwick', 'first-after', 'first-before', 'last-after', 'last-before', 'limit'])
      notFor(['cursor', 'raw'])
      const format = values.format ?? (process.stdout.isTTY === true ? 'table' : 'json')
      if (format !== 'table' && format !== 'json') {
        throw new PdnsError('ERR_BAD_ARGUMENT', `--format: '${format}' (a summary is table or json)`)
      }
      const name = normalizeName(rest[0]!)
      const within =
        values['active-within'] === undefined
          ? DEFAULT_ACTIVE_WITHIN_SECONDS
          : parseDuration(values['active-within'], '--active-within')
      const now = Math.floor(Date.now() / 1000)
      const renderSummary = (s: NameSummary, f: 'table' | 'json') =>
        renderFreshSummary(s, freshness(s.first, s.last, now, within), f)
      const fresh = (s: NameSummary) => {
        const f = freshness(s.first, s.last, now, within)
        return { active: f.active, age_days: f.age_days }
      }
      if (mesh) {
        const body = { name, ...(values.origin === undefined ? {} : { origin: values.origin }) }
        return await askMesh(dataDir, signal, { lookup: 'summary', query: body, timeoutMs }, (a) => {
          if (a.summary === null) {
            process.stderr.write(`pdns-mesh query: ${name} was never seen\n`)
            return format === 'json' ? [JSON.stringify({ summary: null, peers: a.peers })] : []
          }
          return [
            format === 'json'
              ? JSON.stringify({ summary: { ...a.summary, ...fresh(a.summary) }, peers: a.peers })
              : renderSummary(a.summary, format),
          ]
        })
      }
      return await withBackend(dataDir, signal, async (backend) => {
        const s = await backend.summary(name, {
          signal,
          ...(values.origin === undefined ? {} : { origin: values.origin }),
        })
        if (s === null) {
          process.stderr.write(`pdns-mesh query: ${name} was never seen\n`)
          return 0
        }
        return await output([renderSummary(s, format)])
      })
    }

    const now = Math.floor(Date.now() / 1000)
    const fence: TimeFence = {}
    const time = (option: string): number | undefined => {
      const text = (values as Record<string, string | undefined>)[option]
      return text === undefined ? undefined : parseTimeOption(option, text, now)
    }
    const fa = time('first-after')
    const fb = time('first-before')
    const la = time('last-after')
    const lb = time('last-before')
    if (fa !== undefined) fence.firstAfter = fa
    if (fb !== undefined) fence.firstBefore = fb
    if (la !== undefined) fence.lastAfter = la
    if (lb !== undefined) fence.lastBefore = lb
    const common: Omit<RrsetQuery, 'name'> = {}
    if (values.type !== undefined) common.rrtype = parseType(values.type)
    if (Object.keys(fence).length > 0) {
      checkFence(fence, CLI_FENCE)
      common.fence = fence
    }
    if (values.origin !== undefined) common.origin = values.origin
    if (values.limit !== undefined) common.limit = parseLimitOption(values.limit)
    if (values.cursor !== undefined) common.cursor = values.cursor
    const format = values.format ?? (process.stdout.isTTY === true ? 'table' : 'cof')
    if (!isRecordFormat(format)) {
      throw new PdnsError('ERR_BAD_ARGUMENT', `--format: '${format}' (one of ${RECORD_FORMATS.join(', ')})`)
    }

    let ask: (backend: QueryBackend) => Promise<Page>
    let meshBody: Record<string, unknown>
    if (sub === 'rrset') {
      notFor(['raw'])
      const q: RrsetQuery = { ...common, name: parseNamePattern(rest[0]!) }
      if (values.bailiwick !== undefined) q.bailiwick = normalizeName(values.bailiwick, 'bailiwick')
      ask = (backend) => backend.rrset(q, { signal })
      meshBody = { lookup: 'rrset', query: encodeRrsetQuery(q), timeoutMs }
    } else {
      notFor(['bailiwick'])
      const target = values.raw === undefined ? parseRdataTarget(rest[0]!) : parseRawHex(values.raw)
      const q: RdataQuery = { ...common, target }
      ask = (backend) => backend.rdata(q, { signal })
      meshBody = { lookup: 'rdata', query: encodeRdataQuery(q), timeoutMs }
    }
    if (mesh) {
      return await askMesh(dataDir, signal, meshBody, (a) => {
        if (format === 'json')
          return [JSON.stringify({ records: a.records, limited: a.limited, peers: a.peers })]
        const lines: string[] = []
        const printer = new RecordPrinter(format, (l) => lines.push(l))
        for (const r of a.records) printer.add(r)
        printer.end()
        return lines
      })
    }
    return await withBackend(dataDir, signal, async (backend) => {
      const page = await ask(backend)
      const lines: string[] = []
      const printer = new RecordPrinter(format, (l) => lines.push(l))
      for (const r of page.records) printer.add(r)
      printer.end()
      const code = await output(lines)
      if (page.cursor !== null) process.stderr.write(`next: --cursor ${page.cursor}\n`)
      return code
    })
  },
}

const TIME_OPTIONS = new Set(['--first-after', '--first-before', '--last-after', '--last-before'])

/**
 * `--last-after -7d` as `--last-after=-7d`: node's parseArgs takes a value that starts with a dash
 * for an option, and relative times always do.
 */
export function joinRelativeTimes(
  args: readonly string[],
  options: ReadonlySet<string> = TIME_OPTIONS,
): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    const next = args[i + 1]
    if (a === '--') {
      out.push(...args.slice(i))
      break
    }
    if (options.has(a) && next !== undefined && /^-[0-9]/.test(next)) {
      out.push(`${a}=${next}`)
      i++
    } else {
      out.push(a)
    }
  }
  return out
}

/**
 * A --mesh query: the running node fans it out and merges; which peers answered, failed or timed
 * out goes to stderr (and into the JSON).
 */
async function askMesh(
  dataDir: string,
  signal: AbortSignal,
  body: Record<string, unknown>,
  render: (a: MeshAnswer) => string[],
): Promise<number> {
  const backend = await openBackend(dataDir, { signal })
  try {
    if (!(backend instanceof RemoteBackend)) {
      throw new PdnsError(
        'ERR_NODE_UNREACHABLE',
        `--mesh needs a running node on ${dataDir} (its peers are the mesh)`,
      )
    }
    const a = await backend.meshQuery(body, { signal })
    const code = await output(render(a))
    for (const p of a.peers) {
      process.stderr.write(
        `peer ${p.peer}: ${p.status}${p.status === 'answered' ? ` (${p.records} records)` : `: ${p.error ?? ''}`}\n`,
      )
    }
    if (a.limited) process.stderr.write('pdns-mesh query: the merged answer was cut at --limit\n')
    return code
  } finally {
    await backend.close()
  }
}

/** Runs `fn` with the backend of `dataDir`, closing it afterwards. */
export async function withBackend(
  dataDir: string,
  signal: AbortSignal,
  fn: (backend: QueryBackend) => Promise<number>,
): Promise<number> {
  const backend = await openBackend(dataDir, { signal })
  try {
    return await fn(backend)
  } finally {
    await backend.close()
  }
}

/** Writes lines to stdout; ERR_OUTPUT when that fails (a closed pipe is not a failure). */
export async function output(lines: readonly string[]): Promise<number> {
  const writer = new LineWriter(process.stdout)
  for (const l of lines) writer.write(l)
  await writer.end()
  throwOnOutputError(writer)
  return 0
}

export function throwOnOutputError(writer: LineWriter): void {
  const out = writer.error
  // A reader that closed the pipe (`| head`) wanted no more: that is not a failure of ours.
  if (out !== null && out.code !== 'EPIPE') {
    throw new PdnsError('ERR_OUTPUT', `cannot write results: ${out.message}`, { cause: out })
  }
}
