import { isPdnsError, PdnsError } from '../../errors.ts'
import { isRecordFormat, RECORD_FORMATS, RecordPrinter } from '../../query/format/index.ts'
import { parseCliArgs } from '../args.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, dataDirOf } from '../backend.ts'
import type { Command } from '../command.ts'
import { LineWriter } from '../output/line-writer.ts'
import { throwOnOutputError, withBackend } from './query.ts'

/** Records written between waits for stdout to drain. */
const DRAIN_EVERY = 4096

const HELP = `Usage: pdns-mesh export [options]

Writes every record of the database to stdout, streamed in key order: one line per record and
vantage (origin), so each line carries that vantage's own counts as sensor_id. The default COF
output (draft-dulaunoy-dnsop-passive-dns-cof; negative answers carry "negative") imports into
another pdns-mesh with \`pdns-mesh import\`, or into other passive DNS servers.

Options:
  --data DIR            data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})
  --format F            cof (default), json (every field) or table
  -h, --help            this help

Exit status: 0; 1 when the database is missing, held by another process or written by a newer
pdns-mesh, or output failed; 2 on bad usage; 128 + the signal number when interrupted.
`

export const exportCommand: Command = {
  name: 'export',
  help: HELP,
  async run(args, { signal }) {
    const { values, positionals } = parseCliArgs(args, {
      data: { type: 'string' },
      format: { type: 'string' },
    })
    if (positionals.length > 0) {
      throw new PdnsError('ERR_BAD_ARGUMENT', `export takes no arguments (got '${positionals[0]}')`)
    }
    const format = values.format ?? 'cof'
    if (!isRecordFormat(format)) {
      throw new PdnsError('ERR_BAD_ARGUMENT', `--format: '${format}' (one of ${RECORD_FORMATS.join(', ')})`)
    }
    return await withBackend(dataDirOf(values.data), signal, async (backend) => {
      const writer = new LineWriter(process.stdout)
      const printer = new RecordPrinter(format, (l) => writer.write(l))
      let n = 0
      try {
        for await (const r of backend.export({ signal })) {
          printer.add(r)
          if (++n % DRAIN_EVERY === 0) {
            await writer.drained()
            if (writer.error !== null) break
          }
        }
      } catch (err) {
        // interrupted: what was written stays written; main turns the signal into the exit status
        if (!(isPdnsError(err) && err.code === 'ERR_ABORTED' && signal.aborted)) throw err
      }
      printer.end()
      await writer.end()
      throwOnOutputError(writer)
      return 0
    })
  },
}
