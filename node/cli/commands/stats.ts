import { RemoteBackend } from '../../api/client.ts'
import type { NodeStatus } from '../../api/types.ts'
import { PdnsError } from '../../errors.ts'
import type { StoreStats } from '../../query/types.ts'
import { parseCliArgs } from '../args.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, dataDirOf } from '../backend.ts'
import type { Command } from '../command.ts'
import { renderTable } from '../output/table.ts'
import { withBackend } from './query.ts'

const HELP = `Usage: pdns-mesh stats [options]

Describes the database of a data directory: schema version, origins (vantages), record and index
counts, and its size on disk. When a node runs on the data directory, it answers, and its status
follows: version, peer id, uptime and the counters of its parts (capture drops, dnstap connections,
the aggregation window); in JSON under "node".

Options:
  --data DIR            data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})
  --format F            table or json (default: table on a terminal, else json)
  -h, --help            this help

Exit status: 0; 1 when the database is missing, held by another process or written by a newer
pdns-mesh; 2 on bad usage.
`

export const statsCommand: Command = {
  name: 'stats',
  help: HELP,
  async run(args, { signal }) {
    const { values, positionals } = parseCliArgs(args, {
      data: { type: 'string' },
      format: { type: 'string' },
    })
    if (positionals.length > 0) {
      throw new PdnsError('ERR_BAD_ARGUMENT', `stats takes no arguments (got '${positionals[0]}')`)
    }
    const format = values.format ?? (process.stdout.isTTY === true ? 'table' : 'json')
    if (format !== 'table' && format !== 'json') {
      throw new PdnsError('ERR_BAD_ARGUMENT', `--format: '${format}' (table or json)`)
    }
    return await withBackend(dataDirOf(values.data), signal, async (backend) => {
      const s = await backend.stats({ signal })
      const node = backend instanceof RemoteBackend ? await backend.status({ signal }) : null
      const text =
        format === 'json'
          ? JSON.stringify(node === null ? s : { ...s, node })
          : `${statsTable(s)}${node === null ? '' : `\n\n${nodeTable(node)}`}`
      process.stdout.write(`${text}\n`)
      return 0
    })
  },
}

function statsTable(s: StoreStats): string {
  const head = renderTable(null, [
    ['data directory', s.dataDir],
    ['schema', `v${s.schema}`],
    ['records', `${s.records + s.negatives} (answers ${s.records}, negative answers ${s.negatives})`],
    ['per vantage', `${s.entries} (record, vantage) pairs`],
    ['rdata index', String(s.rdataIndex)],
    ['names', `${s.names} (name and type pairs)`],
    [
      'on disk',
      `${bytesText(s.diskBytes)}${s.bytesPerRecord === null ? '' : ` (${s.bytesPerRecord} bytes/record)`}`,
    ],
  ])
  const origins = renderTable(
    ['origin', 'label', 'records'],
    s.origins.map((o) => [String(o.id), o.local ? `${o.label} (this node)` : o.label, String(o.entries)]),
  )
  const feeds =
    s.feeds.length === 0
      ? ''
      : `\n\n${renderTable(
          ['mesh feed', 'entries', 'bytes'],
          s.feeds.map((f) => [f.author, String(f.entries), bytesText(f.bytes)]),
        )}\nother nodes' data on disk: about ${bytesText(s.remoteBytes)}`
  return `${head}\n\n${origins}${feeds}`
}

/** Deepest nesting of a component's counters shown as rows; deeper values are shown as JSON. */
const MAX_STATUS_DEPTH = 4

function nodeTable(n: NodeStatus): string {
  const rows: [string, string][] = [
    ['node', `pdns-mesh ${n.version}, pid ${n.pid}`],
    ['peer id', n.peerId],
    [
      'started',
      `${new Date(n.startedAt * 1000).toISOString()} (up ${uptimeText(Date.now() / 1000 - n.startedAt)})`,
    ],
  ]
  const add = (label: string, v: unknown, depth: number) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && depth < MAX_STATUS_DEPTH) {
      const entries = Object.entries(v)
      if (entries.length === 0) rows.push([label, '-'])
      for (const [k, x] of entries) add(`${label}.${k}`, x, depth + 1)
    } else {
      rows.push([label, typeof v === 'string' ? v : v === undefined ? '-' : JSON.stringify(v)])
    }
  }
  for (const [name, v] of Object.entries(n.components)) add(name, v, 1)
  return renderTable(null, rows)
}

function uptimeText(s: number): string {
  const t = Math.max(0, Math.floor(s))
  const d = Math.floor(t / 86400)
  const h = Math.floor((t % 86400) / 3600)
  const m = Math.floor((t % 3600) / 60)
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${t % 60}s` : `${t}s`
}

function bytesText(n: number): string {
  if (n >= 1 << 30) return `${(n / 2 ** 30).toFixed(2)} GiB`
  if (n >= 1 << 20) return `${(n / 2 ** 20).toFixed(1)} MiB`
  if (n >= 1 << 10) return `${(n / 2 ** 10).toFixed(1)} KiB`
  return `${n} bytes`
}
