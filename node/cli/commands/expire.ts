import { parseDuration } from '../../analysis/duration.ts'
import { PdnsError } from '../../errors.ts'
import { readPeerId } from '../../identity/peer-id.ts'
import { isPeersLabel } from '../../ingest/sensor-origins.ts'
import { Expiry, type PassResult } from '../../store/expiry.ts'
import { Store } from '../../store/store.ts'
import { parseCliArgs } from '../args.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, dataDirOf } from '../backend.ts'
import type { Command } from '../command.ts'
import { renderTable } from '../output/table.ts'

const HELP = `Usage: pdns-mesh expire --older-than SPAN [options]

Deletes, once, the records of a stopped node's database whose last sighting is older than SPAN
(7d, 12h, 1w2d, or seconds), with all their index entries: what a node with store.retention does
in the background (docs/STORAGE.md, "Retention"). The node's own origins and imports (cof:…) follow
--older-than; peers' origins follow --remote-older-than, which defaults to --older-than and may not
be longer. The feeds of signed entries are kept: peers are not told, and nothing is re-sent.

A running node holds the database: set store.retention in its configuration instead (a reload
applies it), or stop it first.

Options:
  --older-than SPAN         how old the last sighting of the node's own and imported records may be
  --remote-older-than SPAN  the same for peers' records (default: --older-than)
  --data DIR                data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})
  --format F                text or json (default text)
  -h, --help                this help

Exit status: 0; 1 when the database is missing, held by another process or written by a newer
pdns-mesh; 2 on bad usage; 128 + the signal number when interrupted (each batch deleted is whole).
`

export const expireCommand: Command = {
  name: 'expire',
  help: HELP,
  async run(args, { signal }) {
    const { values, positionals } = parseCliArgs(args, {
      data: { type: 'string' },
      format: { type: 'string' },
      'older-than': { type: 'string' },
      'remote-older-than': { type: 'string' },
    })
    if (positionals.length > 0) {
      throw new PdnsError('ERR_BAD_ARGUMENT', `expire takes no arguments (got '${positionals[0]}')`)
    }
    const format = values.format ?? 'text'
    if (format !== 'text' && format !== 'json') {
      throw new PdnsError('ERR_BAD_ARGUMENT', `--format: '${format}' (text or json)`)
    }
    if (values['older-than'] === undefined) {
      throw new PdnsError('ERR_BAD_ARGUMENT', 'expire needs --older-than SPAN (like 90d)')
    }
    const local = span(values['older-than'], '--older-than')
    const remote =
      values['remote-older-than'] === undefined
        ? local
        : span(values['remote-older-than'], '--remote-older-than')
    if (remote > local) {
      throw new PdnsError(
        'ERR_BAD_ARGUMENT',
        "--remote-older-than: longer than --older-than (peers' data is kept at most as long as the node's own)",
      )
    }
    const dataDir = dataDirOf(values.data)
    // without an identity every mesh label is a peer's: a data directory that only ever imported
    const self = await readPeerId(dataDir, { create: false })
    const store = await Store.open(dataDir)
    let result: PassResult
    let expiry: Expiry
    try {
      expiry = new Expiry(
        { store, isRemote: (label) => isPeersLabel(self, label) },
        { retention: { local, remote } },
      )
      result = await expiry.run({ signal })
    } finally {
      await store.close()
    }
    const byOrigin = expiry.stats().byOrigin
    if (format === 'json') {
      process.stdout.write(`${JSON.stringify({ dataDir, ...result, byOrigin })}\n`)
    } else {
      const head = renderTable(null, [
        ['data directory', dataDir],
        ['cutoff', cutoffText(result.cutoffs.local)],
        ["cutoff, peers' data", cutoffText(result.cutoffs.remote)],
        ['last-seen entries read', String(result.examined)],
        ['records deleted', String(result.expired)],
      ])
      const origins = Object.entries(byOrigin)
      const table =
        origins.length === 0
          ? ''
          : `\n\n${renderTable(
              ['origin', 'deleted'],
              origins.map(([o, n]) => [o, String(n)]),
            )}`
      process.stdout.write(`${head}${table}\n`)
    }
    return 0
  },
}

function span(text: string, option: string): number {
  const s = parseDuration(text, option)
  if (s < 1) throw new PdnsError('ERR_BAD_ARGUMENT', `${option}: '${text}' (a span longer than zero)`)
  return s
}

function cutoffText(cut: number | null): string {
  return cut === null ? 'none' : `${new Date(cut * 1000).toISOString()} (${cut})`
}
