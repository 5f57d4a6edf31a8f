import {
  DEFAULT_NEW_SINCE_SECONDS,
  type NewNamesAsked,
  newNamesToJson,
  newNamesToTable,
} from '../../analysis/index.ts'
import { typeName } from '../../dns/constants.ts'
import { PdnsError } from '../../errors.ts'
import { normalizeName, parseType } from '../../query/parse.ts'
import { DEFAULT_LIMIT, type NewNamesQuery, type QueryBackend } from '../../query/types.ts'
import { parseCliArgs } from '../args.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, dataDirOf } from '../backend.ts'
import type { Command } from '../command.ts'
import { MeshBackend, reportMeshPeers } from '../mesh-backend.ts'
import { LineWriter } from '../output/line-writer.ts'
import { parseLimitOption, parseMeshTimeoutOption, parseTimeOption } from '../query-options.ts'
import { joinRelativeTimes, throwOnOutputError, withBackend } from './query.ts'

const HELP = `Usage: pdns-mesh new [--since T] [--under ZONE] [--type T] [--limit N] [options]

Lists the names first seen at or after T, newest first: the newly observed domains. A name counts
from the first answer any vantage saw for it (with --type, the first answer of that type; with
--origin, the first that vantage saw); negative answers (NXDOMAIN, NODATA) do not make a name
seen. It reads the first-seen index, so a day's new names cost that day's records, not a scan of
the store. Each name comes with its first and last sighting, its count, the types of its answers
and the vantages that saw it.

Options:
  --data DIR            data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})
  --since T             first seen at or after T (default -24h); T: epoch seconds, ISO 8601
                        (2026-01-31, 2026-01-31T12:00:00Z) or relative to now (-7d, -12h, -3600)
  --under ZONE          only names at or below ZONE (example.com: it and every name under it)
  --type T              only answers of this type (A, AAAA, NS, TYPE65…; ANY: every type)
  --origin LABEL        only what this vantage saw (an origin label, see pdns-mesh stats)
  --limit N             at most N names (default ${DEFAULT_LIMIT})
  --cursor C            the next page of the same question (stderr says: next: --cursor …)
  --format F            table or json (default: table on a terminal, else json). json is one object:
                        {"since", "since_iso", "under", "rrtype", "names": [{"name", "first", "last",
                        "first_seen", "last_seen", "age_days", "count", "records", "rrtypes",
                        "vantages": [{"origin", "first", "last", "first_seen", "last_seen",
                        "count"}]}], "cursor"}
  --mesh                also ask the running node's connected peers (query-only peers' data too):
                        each candidate's first sighting is settled across the mesh (the earliest of
                        every vantage), so a name seen earlier elsewhere is not new; no --cursor
  --mesh-timeout S      seconds each peer has to answer (default 10)
  -h, --help            this help

Exit status: 0 (also when no name is new); 2 on a bad time (one in the future among them), zone,
type, limit, cursor or option (nothing is read); 1 when the database is missing, held by
another process or written by a newer pdns-mesh, or output failed.
`

const SINCE = new Set(['--since'])

export const newCommand: Command = {
  name: 'new',
  help: HELP,
  async run(args, { signal }) {
    const { values, positionals } = parseCliArgs(joinRelativeTimes(args, SINCE), {
      data: { type: 'string' },
      since: { type: 'string' },
      under: { type: 'string' },
      type: { type: 'string' },
      origin: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      format: { type: 'string' },
      mesh: { type: 'boolean' },
      'mesh-timeout': { type: 'string' },
    })
    if (positionals.length > 0) {
      throw new PdnsError('ERR_BAD_ARGUMENT', `new takes no arguments, got '${positionals[0]}' (see --help)`)
    }
    const mesh = values.mesh === true
    if (mesh && values.cursor !== undefined) {
      throw new PdnsError('ERR_BAD_ARGUMENT', '--cursor does not apply to --mesh (pages are per node)')
    }
    const timeoutMs = parseMeshTimeoutOption(values['mesh-timeout'], mesh)
    const now = Math.floor(Date.now() / 1000)
    let since = now - DEFAULT_NEW_SINCE_SECONDS
    if (values.since !== undefined) {
      since = parseTimeOption('since', values.since, now)
      if (since > now) {
        throw new PdnsError(
          'ERR_BAD_ARGUMENT',
          `--since: '${values.since}' is in the future: no name is first seen after now`,
        )
      }
    }
    const q: NewNamesQuery = { since }
    const asked: NewNamesAsked = { since, under: null, rrtype: null }
    if (values.under !== undefined) {
      const zone = normalizeName(values.under, 'under')
      // the root holds every name: the same as no --under
      if (zone !== '.') {
        q.under = zone
        asked.under = zone
      }
    }
    if (values.type !== undefined) {
      const t = parseType(values.type)
      if (t !== 255) {
        q.rrtype = t
        asked.rrtype = typeName(t)
      }
    }
    if (values.origin !== undefined) q.origin = values.origin
    if (values.limit !== undefined) q.limit = parseLimitOption(values.limit)
    if (values.cursor !== undefined) q.cursor = values.cursor
    const format = values.format ?? (process.stdout.isTTY === true ? 'table' : 'json')
    if (format !== 'table' && format !== 'json') {
      throw new PdnsError('ERR_BAD_ARGUMENT', `--format: '${format}' (new is table or json)`)
    }
    const run = async (backend: QueryBackend) => {
      const page = await backend.newNames(q, { signal })
      const writer = new LineWriter(process.stdout)
      if (format === 'json') writer.write(newNamesToJson(asked, page, now))
      else if (page.names.length > 0) writer.write(newNamesToTable(page))
      await writer.end()
      throwOnOutputError(writer)
      if (format === 'table' && page.names.length === 0) {
        process.stderr.write('pdns-mesh new: no name first seen since then\n')
      }
      if (page.cursor !== null) process.stderr.write(`next: --cursor ${page.cursor}\n`)
      reportMeshPeers(backend)
      return 0
    }
    if (!mesh) return await withBackend(dataDirOf(values.data), signal, run)
    const backend = await MeshBackend.open(dataDirOf(values.data), {
      signal,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    })
    try {
      return await run(backend)
    } finally {
      await backend.close()
    }
  },
}
