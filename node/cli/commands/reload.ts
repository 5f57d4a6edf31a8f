import { RemoteBackend } from '../../api/client.ts'
import { PdnsError } from '../../errors.ts'
import { parseCliArgs } from '../args.ts'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, dataDirOf, openBackend } from '../backend.ts'
import type { Command } from '../command.ts'

const HELP = `Usage: pdns-mesh reload [--data DIR]

Asks the node running on the data directory to read its configuration again (the file and flags
it was started with; SIGHUP does the same) and apply what can change without a restart: the mesh
allowlist and peers (a peer no longer allowed is disconnected at once), mesh.update_interval,
log.level, and the API's default rate and result clamp (api.rate, api.max_limit; API keys and
their own rates are re-read from their file as soon as it changes). A configuration that does not load, or that changes a key only a restart can change,
is refused with a message naming the keys, and the node runs on with the configuration it has.

Options:
  --data DIR            data directory (default: $${DATA_DIR_ENV}, else ${DEFAULT_DATA_DIR})
  -h, --help            this help

Exit status: 0 when applied (or nothing changed); 2 when refused (ERR_CONFIG); 1 when no node runs.
`

export const reloadCommand: Command = {
  name: 'reload',
  help: HELP,
  async run(args, { signal }) {
    const { values, positionals } = parseCliArgs(args, { data: { type: 'string' } })
    if (positionals.length > 0) {
      throw new PdnsError('ERR_BAD_ARGUMENT', `reload takes no arguments (got '${positionals[0]}')`)
    }
    const dir = dataDirOf(values.data)
    const backend = await openBackend(dir, { signal })
    try {
      if (!(backend instanceof RemoteBackend)) {
        throw new PdnsError('ERR_NODE_UNREACHABLE', `no node runs on ${dir}: nothing to reload`)
      }
      const r = await backend.reload({ signal })
      process.stdout.write(
        r.applied.length === 0 ? 'nothing changed\n' : `applied: ${r.applied.join(', ')}\n`,
      )
      return 0
    } finally {
      await backend.close()
    }
  },
}
